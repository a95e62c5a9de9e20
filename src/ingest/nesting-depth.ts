import type { Rejection } from './issue-reason.js';

/**
 * The deepest nesting of objects and arrays an event or account record may have, counting the
 * record itself as depth 1 (a message's content part is at depth 6). Why a bound: JSON.parse
 * copes with any depth, but structured clone (the hand-off to the engine worker), JSON.stringify
 * and any recursive walk overflow the stack a few thousand levels down, so one ~10 KB line could
 * break every later step. Real events stay far below this; unknown fields are kept as they are,
 * so the bound covers them too. docs/ingest.md and docs/api.md document it.
 */
export const MAX_RECORD_DEPTH = 64;

/**
 * The first top-level field (or "(record)") under which `value` nests objects and arrays more
 * than `max` levels deep, or null when it does not. Recursion stops at `max + 1` levels, so no
 * input can overflow the stack here.
 */
export function fieldNestedTooDeep(value: unknown, max = MAX_RECORD_DEPTH): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (max < 1) return '(record)';
  if (Array.isArray(value)) {
    for (const v of value) if (deeperThan(v, max - 1)) return '(record)';
    return null;
  }
  const o = value as Record<string, unknown>;
  for (const key in o) if (deeperThan(o[key], max - 1)) return key;
  return null;
}

/** Whether v nests containers more than `levels` deep (v itself, if a container, is one level). */
function deeperThan(v: unknown, levels: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (levels < 1) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (deeperThan(v[i], levels - 1)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const key in o) if (deeperThan(o[key], levels - 1)) return true;
  return false;
}

/** The `too_deep` rejection of a record, naming the field, or null when it is within the bound. */
export function rejectTooDeep(value: unknown, max = MAX_RECORD_DEPTH): Rejection | null {
  const field = fieldNestedTooDeep(value, max);
  if (field === null) return null;
  return {
    reason: 'too_deep',
    message:
      field === '(record)'
        ? `record nests objects and arrays more than ${max} levels deep`
        : // The name is the caller's: quoted and cut, so an answer never echoes a huge key back.
          `field ${JSON.stringify(field.slice(0, 100))} nests objects and arrays more than ${max} levels deep (the record is level 1)`,
  };
}
