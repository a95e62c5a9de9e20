import { z } from 'zod';

/** The filters of an objects/manifest request; `next` tokens carry them so later pages keep them. */
export interface ObjectFilters {
  addedAfter?: string;
  ids: string[];
  types: string[];
  versions: string[];
  specVersions: string[];
}

export type FilterParse =
  { ok: true; filters: ObjectFilters; limit: number; next?: string } | { ok: false; message: string };

/** A query value as one string (repeated parameters: the first). */
const one = (v: unknown): string =>
  Array.isArray(v) ? one(v[0]) : typeof v === 'string' ? v : JSON.stringify(v);

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function list(v: unknown): string[] {
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr
    .flatMap((x) => one(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseObjectQuery(q: Record<string, unknown>, maxLimit: number): FilterParse {
  const addedAfter = q.added_after === undefined ? undefined : one(q.added_after);
  if (addedAfter !== undefined && (!TS.test(addedAfter) || Number.isNaN(Date.parse(addedAfter))))
    return {
      ok: false,
      message: `added_after "${addedAfter}" is not a UTC timestamp like 2026-11-22T10:00:00.000Z.`,
    };
  let limit = maxLimit;
  if (q.limit !== undefined) {
    limit = Number(one(q.limit));
    if (!Number.isInteger(limit) || limit < 1)
      return { ok: false, message: `limit "${one(q.limit)}" must be a positive integer.` };
    limit = Math.min(limit, maxLimit);
  }
  const versions = list(q['match[version]']);
  for (const v of versions)
    if (!['first', 'last', 'all'].includes(v) && (!TS.test(v) || Number.isNaN(Date.parse(v))))
      return { ok: false, message: `match[version] "${v}" must be first, last, all or a timestamp.` };
  const filters: ObjectFilters = {
    ...(addedAfter ? { addedAfter } : {}),
    ids: list(q['match[id]']),
    types: list(q['match[type]']),
    versions,
    specVersions: list(q['match[spec_version]']),
  };
  const next = q.next === undefined ? undefined : one(q.next);
  return { ok: true, filters, limit, ...(next ? { next } : {}) };
}

const Token = z.object({ c: z.string(), s: z.number().int(), f: z.unknown() });

export const encodeNext = (collectionId: string, seq: number, filters: ObjectFilters): string =>
  Buffer.from(JSON.stringify({ c: collectionId, s: seq, f: filters })).toString('base64url');

export function decodeNext(
  token: string,
  collectionId: string,
): { seq: number; filters: ObjectFilters } | undefined {
  try {
    const t = Token.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (t.c !== collectionId) return undefined;
    return { seq: t.s, filters: t.f as ObjectFilters };
  } catch {
    return undefined;
  }
}

export const isEmptyFilter = (f: ObjectFilters): boolean =>
  !f.addedAfter && !f.ids.length && !f.types.length && !f.versions.length && !f.specVersions.length;

export const sameFilters = (a: ObjectFilters, b: ObjectFilters): boolean =>
  JSON.stringify([a.addedAfter ?? null, a.ids, a.types, a.versions, a.specVersions]) ===
  JSON.stringify([b.addedAfter ?? null, b.ids, b.types, b.versions, b.specVersions]);

/** STIX versions are stored normalised (ms, Z) so they compare as text. */
export const normalizeVersion = (ts: string): string => new Date(ts).toISOString();

/**
 * TAXII 2.1 match[version]: `last` when absent; several values select the union of what each
 * selects (e.g. `first,last` is both ends, `last,<timestamp>` the newest and that version).
 */
export function versionMode(
  versions: string[],
):
  | { mode: 'last' | 'first' | 'all' }
  | { mode: 'exact'; values: string[] }
  | { mode: 'union'; first: boolean; last: boolean; values: string[] } {
  if (versions.includes('all')) return { mode: 'all' };
  const first = versions.includes('first');
  const last = versions.includes('last');
  const values = [...new Set(versions.filter((v) => v !== 'first' && v !== 'last').map(normalizeVersion))];
  if (!values.length && !(first && last)) return first ? { mode: 'first' } : { mode: 'last' };
  if (!first && !last) return { mode: 'exact', values };
  return { mode: 'union', first, last, values };
}
