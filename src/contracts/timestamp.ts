import { z } from 'zod';

// RFC 3339 date-time: a date, 'T' (or space, which RFC 3339 allows), a time and a zone offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const rfc3339 = z
  .string()
  .regex(RFC3339, { message: 'not an RFC 3339 date-time with a zone offset (e.g. 2026-11-22T10:00:00Z)' })
  .refine(isCalendarDateTime, { message: 'not a real calendar date-time' });

/** The same test as `rfc3339`, without zod (for the ingest fast path). */
export const isRfc3339 = (s: string): boolean => RFC3339.test(s) && isCalendarDateTime(s);

// Date.parse rolls 2026-02-30 over to March 2nd, so check the fields themselves (the regex has
// already fixed their positions). Runs once per ingested event: no Date objects.
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isCalendarDateTime(s: string): boolean {
  const y = num(s, 0, 4);
  const mo = num(s, 5, 7);
  const d = num(s, 8, 10);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS[mo - 1]! + (leap ? 1 : 0)) return false;
  if (num(s, 11, 13) > 23 || num(s, 14, 16) > 59 || num(s, 17, 19) > 59) return false;
  return !Number.isNaN(Date.parse(s));
}

function num(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}
