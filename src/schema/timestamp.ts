import { z } from 'zod';

// RFC 3339 date-time: a date, 'T' (or space, which RFC 3339 allows), a time and a zone offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const rfc3339 = z
  .string()
  .regex(RFC3339, { message: 'not an RFC 3339 date-time with a zone offset (e.g. 2026-11-22T10:00:00Z)' })
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not a real calendar date-time' });
