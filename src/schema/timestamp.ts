import { z } from 'zod';

// RFC 3339 date-time: a date, 'T' (or space, which RFC 3339 allows), a time and a zone offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const rfc3339 = z
  .string()
  .regex(RFC3339, { message: 'not an RFC 3339 date-time with a zone offset (e.g. 2026-11-22T10:00:00Z)' })
  .refine(isCalendarDateTime, { message: 'not a real calendar date-time' });

// Date.parse rolls 2026-02-30 over to March 2nd, so check the fields themselves.
function isCalendarDateTime(s: string): boolean {
  if (Number.isNaN(Date.parse(s))) return false;
  const y = Number(s.slice(0, 4));
  const mo = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  const h = Number(s.slice(11, 13));
  const mi = Number(s.slice(14, 16));
  const sec = Number(s.slice(17, 19));
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h < 24 && mi < 60 && sec <= 60;
}
