import { z } from 'zod';
import { UserError } from '../schema/index.js';

export interface Page<T> {
  items: T[];
  next: string | null;
}

export const Limit = z.coerce
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(1000, { error: 'limit must be at most 1000' })
  .default(50);

/** Opaque cursors: base64url JSON of the last item's sort key. */
export const encodeCursor = (key: readonly (string | number)[]): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string): (string | number)[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    // reported below
  }
  throw new UserError(
    'INVALID_ARGUMENT',
    'cursor is not one this server returned; pass the `next` value as is.',
  );
}

/**
 * Pages a list sorted by score descending then id ascending, by keyset: stable while findings
 * refresh, unlike offsets.
 */
export function pageByScore<T>(
  sorted: readonly T[],
  keyOf: (t: T) => [number, string],
  limit: number,
  cursor: string | undefined,
): Page<T> {
  let start = 0;
  if (cursor) {
    const [score, id] = decodeCursor(cursor);
    if (typeof score !== 'number' || typeof id !== 'string')
      throw new UserError(
        'INVALID_ARGUMENT',
        'cursor is not one this server returned; pass the `next` value as is.',
      );
    start = sorted.findIndex((t) => {
      const [s, i] = keyOf(t);
      return s < score || (s === score && i > id);
    });
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  return { items, next: start + limit < sorted.length && last ? encodeCursor(keyOf(last)) : null };
}

/** Pages by position for small derived lists (signals): the cursor is the next offset. */
export function pageByOffset<T>(list: readonly T[], limit: number, cursor: string | undefined): Page<T> {
  let start = 0;
  if (cursor) {
    const [n] = decodeCursor(cursor);
    if (typeof n !== 'number' || n < 0)
      throw new UserError(
        'INVALID_ARGUMENT',
        'cursor is not one this server returned; pass the `next` value as is.',
      );
    start = n;
  }
  const items = list.slice(start, start + limit);
  return { items, next: start + limit < list.length ? encodeCursor([start + limit]) : null };
}
