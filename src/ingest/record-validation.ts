import type { z } from 'zod';
import { AccountRecord, ApiEvent, unstorableText } from '../contracts/index.js';
import type { RejectReason } from '../contracts/index.js';
import { accountShape, eventShape, INVALID } from './fast-shape-check.js';
import { rejectionFromIssues } from './issue-reason.js';
import { rejectTooDeep } from './nesting-depth.js';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export type LineResult<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; message: string };
export type EventLineResult =
  { ok: true; event: ApiEvent } | { ok: false; reason: RejectReason; message: string };

/** Validates an already-decoded value (e.g. a JSON HTTP body) as an API event. */
export function validateEvent(value: unknown): LineResult<ApiEvent> {
  return validateRecord(value, eventShape, ApiEvent, unstorableEventKey);
}

/** Validates an already-decoded value as an account record. */
export function validateAccount(value: unknown): LineResult<AccountRecord> {
  return validateRecord(value, accountShape, AccountRecord, unstorableAccountKey);
}

/**
 * The one validation order for every record kind: nesting depth, then the fast shape check (zod
 * only for what it does not vouch for), then the storable-key check.
 */
function validateRecord<T>(
  value: unknown,
  fastShape: (v: unknown) => unknown,
  schema: z.ZodType<T>,
  unstorableKey: (r: T) => KeyRejection | undefined,
): LineResult<T> {
  // First: what is nested too deep must reach neither zod's messages nor any later step.
  const deep = rejectTooDeep(value);
  if (deep) return { ok: false, ...deep };
  // What the fast check accepts, zod returns unchanged (see fast-shape-check.ts).
  const fast = fastShape(value);
  const r: LineResult<T> = fast !== INVALID ? { ok: true, value: fast as T } : validateWith(schema, value);
  if (!r.ok) return r;
  return unstorableKey(r.value) ?? r;
}

/** An event whose id or account id cannot be stored as text (see keyTextRejection), or undefined. */
export function unstorableEventKey(e: ApiEvent): KeyRejection | undefined {
  return (
    keyTextRejection('id', e.id) ??
    keyTextRejection('account_id', e.account_id) ??
    keyTextRejection('account.account_id', e.account?.account_id)
  );
}

/** An account record whose account id cannot be stored as text, or undefined. */
export function unstorableAccountKey(r: AccountRecord): KeyRejection | undefined {
  return keyTextRejection('account_id', r.account_id);
}

type KeyRejection = { ok: false; reason: RejectReason; message: string };

/**
 * Ids and account ids are stored as text keys. One holding NUL or an unpaired surrogate cannot be
 * stored the same way on both stores (PostgreSQL refuses NUL and merges distinct surrogates into
 * U+FFFD), so the line is refused, on every input path, whatever the store. Other strings are kept
 * as sent: they are stored inside the event's JSON, where both are escapes (docs/ingest.md).
 */
function keyTextRejection(field: string, value: string | undefined): KeyRejection | undefined {
  if (value === undefined) return undefined;
  const problem = unstorableText(value);
  if (problem === undefined) return undefined;
  return {
    ok: false,
    reason: 'invalid_text',
    message: `field "${field}" holds ${problem}; ids and account ids must be text without NUL or unpaired surrogates`,
  };
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
  const parsed = parseJsonText(line, (err) => `line ${lineNo} is not valid JSON: ${(err as Error).message}`);
  return parsed.ok ? validate(parsed.value) : parsed;
}

/** `text` as JSON, or an `invalid_json` rejection with the message `describe` gives the parse error. */
export function parseJsonText(text: string, describe: (err: unknown) => string): LineResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: 'invalid_json', message: describe(err) };
  }
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
