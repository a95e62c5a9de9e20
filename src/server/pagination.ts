import { z } from 'zod';
import { UserError, unstorableText, type Page } from '../contracts/index.js';

export const Limit = z.coerce
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(1000, { error: 'limit must be at most 1000' })
  .default(50);

/** Opaque cursors: base64url JSON of the last item's sort key. */
export const encodeCursor = (key: readonly (string | number)[]): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

const NOT_OURS = 'cursor is not one this server returned; pass the `next` value as is.';

/**
 * Parts of a cursor. A cursor comes back from the caller, so it is hostile input like any other:
 * every part has a type and a range the store and the code after it can take (a PostgreSQL
 * bigint cannot hold 1e308; a text key cannot hold NUL).
 */
export const CursorPart = {
  /** A row sequence number (audit id) or an offset: a safe integer >= 0. */
  position: z.int().min(0),
  /** A finding's score. */
  score: z.number().min(0).max(1),
  /** A finding's rank: its evidence strength (-log10 p, at most a few hundred) or its score. */
  rank: z.number().min(0).max(1e4),
  /** An id or account id: what ingest and the API accept as one. */
  id: z
    .string()
    .min(1)
    .max(300)
    .refine((s) => unstorableText(s) === undefined),
} as const;

/**
 * Decodes a cursor this server handed out into its parts, or answers 400 INVALID_ARGUMENT. The
 * parts' schemas say what each may be (see CursorPart).
 */
export function decodeCursor<const T extends readonly [z.ZodType, ...z.ZodType[]]>(
  cursor: string,
  parts: T,
): { [K in keyof T]: z.output<T[K]> } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new UserError('INVALID_ARGUMENT', NOT_OURS);
  }
  const r = z.tuple(parts as unknown as [z.ZodType, ...z.ZodType[]]).safeParse(v);
  if (!r.success) throw new UserError('INVALID_ARGUMENT', NOT_OURS);
  return r.data as { [K in keyof T]: z.output<T[K]> };
}

/**
 * Pages a list sorted by rank (strength, or score) descending then id ascending, by keyset: stable while findings
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
    const [score, id] = decodeCursor(cursor, [CursorPart.rank, CursorPart.id]);
    start = sorted.findIndex((t) => {
      const [s, i] = keyOf(t);
      return s < score || (s === score && i > id);
    });
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  return {
    items,
    next: start + limit < sorted.length && last ? encodeCursor(keyOf(last)) : null,
    total: sorted.length,
  };
}

/** Pages by position for small derived lists (signals): the cursor is the next offset. */
export function pageByOffset<T>(list: readonly T[], limit: number, cursor: string | undefined): Page<T> {
  let start = 0;
  if (cursor) {
    [start] = decodeCursor(cursor, [CursorPart.position]);
  }
  const items = list.slice(start, start + limit);
  return {
    items,
    next: start + limit < list.length ? encodeCursor([start + limit]) : null,
    total: list.length,
  };
}
