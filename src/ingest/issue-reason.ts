import type { z } from 'zod';
import type { RejectReason } from '../contracts/index.js';

export interface Rejection {
  reason: RejectReason;
  message: string;
}

const TIMESTAMP_FIELDS = new Set(['ts', 'created_at']);

/** Turns zod's issues for one record into one stable reason code and a message naming the field. */
export function rejectionFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown): Rejection {
  const first = issues[0];
  if (!first) return { reason: 'invalid_value', message: 'record was refused without a reason' };
  const { reason, message } = describeIssue(first, input);
  // A field failing two checks (format and calendar) is one problem, not two.
  const more = new Set(issues.map((i) => formatPath(i.path))).size - 1;
  return {
    reason,
    message: more > 0 ? `${message} (and ${more} more problem${more > 1 ? 's' : ''})` : message,
  };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): Rejection {
  const path = issue.path;
  const field = formatPath(path);
  const last = path[path.length - 1];
  const present = hasPath(input, path);
  const value = present ? valueAt(input, path) : undefined;

  if (!present && issue.code === 'invalid_type') {
    return { reason: 'missing_field', message: `missing required field "${field}"` };
  }
  if (typeof last === 'string' && TIMESTAMP_FIELDS.has(last)) {
    return {
      reason: 'bad_timestamp',
      message: `field "${field}" is ${preview(value)}: not an RFC 3339 date-time with a zone offset (e.g. 2026-11-22T10:00:00Z)`,
    };
  }
  if (last === 'role' && (issue.code === 'invalid_value' || issue.code === 'invalid_type')) {
    const allowed = issue.code === 'invalid_value' ? issue.values.join(', ') : 'a string';
    return {
      reason: typeof value === 'string' ? 'unknown_role' : 'wrong_type',
      message: `field "${field}" has unknown role ${preview(value)}; expected one of ${allowed}`,
    };
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const expected = issue.code === 'invalid_type' ? issue.expected : 'one of several shapes';
    return {
      reason: 'wrong_type',
      message: `field "${field}" has the wrong type: expected ${expected}, got ${typeName(value)} ${preview(value)}`,
    };
  }
  return { reason: 'invalid_value', message: `field "${field}" is ${preview(value)}: ${issue.message}` };
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(record)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function hasPath(input: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return false;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur !== undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) cur = (cur as Record<PropertyKey, unknown>)[key];
  return cur;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function preview(v: unknown): string {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
