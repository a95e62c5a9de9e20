import type { z } from 'zod';
import { AccountRecord, ApiEvent } from '../schema/index.js';
import type { RejectReason } from '../schema/index.js';
import { accountShape, eventShape, INVALID } from './fastShapeCheck.js';
import { rejectionFromIssues } from './issueReason.js';
import { rejectTooDeep } from './nesting-depth.js';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export type LineResult<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; message: string };
export type EventLineResult =
  { ok: true; event: ApiEvent } | { ok: false; reason: RejectReason; message: string };

/** Validates an already-decoded value (e.g. a JSON HTTP body) as an API event. */
export function validateEvent(value: unknown): LineResult<ApiEvent> {
  // First: what is nested too deep must reach neither zod's messages nor any later step.
  const deep = rejectTooDeep(value);
  if (deep) return { ok: false, ...deep };
  // What the fast check accepts, zod returns unchanged (see fastShapeCheck.ts).
  const fast = eventShape(value);
  if (fast !== INVALID) return { ok: true, value: fast as ApiEvent };
  return validateWith(ApiEvent, value);
}

/** Validates an already-decoded value as an account record. */
export function validateAccount(value: unknown): LineResult<AccountRecord> {
  const deep = rejectTooDeep(value);
  if (deep) return { ok: false, ...deep };
  const fast = accountShape(value);
  if (fast !== INVALID) return { ok: true, value: fast as AccountRecord };
  return validateWith(AccountRecord, value);
}

/**
 * Parses one NDJSON line as an API event. Stateless (no duplicate check), so the server's
 * `POST /v1/events` and the file readers agree on what a valid line is and why one is not.
 */
export function parseEventLine(
  line: string,
  lineNo: number,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): EventLineResult {
  const r = parseJsonLine(line, lineNo, maxLineBytes, validateEvent);
  return r.ok ? { ok: true, event: r.value } : r;
}

export function parseJsonLine<T>(
  line: string,
  lineNo: number,
  maxLineBytes: number,
  validate: (v: unknown) => LineResult<T>,
): LineResult<T> {
  // A UTF-8 byte is at most one UTF-16 unit, so only long strings need their bytes counted.
  if (line.length * 3 > maxLineBytes && Buffer.byteLength(line) > maxLineBytes) {
    return {
      ok: false,
      reason: 'line_too_long',
      message: `line ${lineNo} is ${Buffer.byteLength(line)} bytes, over the ${maxLineBytes}-byte limit`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return {
      ok: false,
      reason: 'invalid_json',
      message: `line ${lineNo} is not valid JSON: ${(err as Error).message}`,
    };
  }
  return validate(value);
}

function validateWith<T>(schema: z.ZodType<T>, value: unknown): LineResult<T> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return { ok: false, reason: 'not_an_object', message: `expected a JSON object, got ${kind}` };
  }
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, ...rejectionFromIssues(r.error.issues, value) };
}
