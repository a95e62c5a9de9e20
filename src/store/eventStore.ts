import { sql, type Kysely } from 'kysely';
import type { ApiEvent } from '../schema/index.js';
import type { CoreDatabase } from './tables.js';

type Db = Kysely<CoreDatabase>;

// 6 bound values per row; 400 rows stays far under SQLite's and PostgreSQL's parameter limits.
const INSERT_CHUNK = 400;
const HOUR_MS = 3_600_000;

export interface InsertEventsOptions {
  /** The JSON text each event was read from (same order); stored as is instead of re-serialising. */
  raw?: readonly (string | undefined)[];
  now?: number;
}

/**
 * Stores events durably, idempotent by event id, in one transaction. Returns the ids that were
 * new (so only those are fed to detection); ids already stored are left untouched.
 */
export async function insertEvents(
  db: Db,
  events: readonly ApiEvent[],
  opts: InsertEventsOptions = {},
): Promise<string[]> {
  if (events.length === 0) return [];
  const now = opts.now ?? Date.now();
  const raw = opts.raw;
  return db.transaction().execute(async (trx) => {
    const inserted: string[] = [];
    for (let i = 0; i < events.length; i += INSERT_CHUNK) {
      const rows = events.slice(i, i + INSERT_CHUNK).map((e, j) => ({
        id: e.id,
        account_id: e.account_id,
        ts: e.ts,
        ts_ms: Date.parse(e.ts),
        body: raw?.[i + j] ?? JSON.stringify(e),
        received_at: now,
      }));
      const res = await trx
        .insertInto('events')
        .values(rows)
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      for (const r of res) inserted.push(r.id);
    }
    return inserted;
  });
}

export interface StoredEvent {
  event: ApiEvent;
  /** When the store received it (epoch ms). */
  receivedAt: number;
}

/** Every stored event in time order with its receipt time, paged by keyset so memory stays flat. */
export async function* streamStoredEvents(db: Db, pageSize = 2000): AsyncGenerator<StoredEvent> {
  let after: { ts_ms: number; id: string } | null = null;
  for (;;) {
    let q = db.selectFrom('events').select(['id', 'ts_ms', 'body', 'received_at']);
    if (after) {
      const a: { ts_ms: number; id: string } = after;
      q = q.where((eb) =>
        eb.or([eb('ts_ms', '>', a.ts_ms), eb.and([eb('ts_ms', '=', a.ts_ms), eb('id', '>', a.id)])]),
      );
    }
    const rows = await q.orderBy('ts_ms').orderBy('id').limit(pageSize).execute();
    for (const r of rows) yield { event: JSON.parse(r.body) as ApiEvent, receivedAt: r.received_at };
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { ts_ms: last.ts_ms, id: last.id };
  }
}

/** Every stored event in time order. */
export async function* streamEvents(db: Db, pageSize = 2000): AsyncGenerator<ApiEvent> {
  for await (const s of streamStoredEvents(db, pageSize)) yield s.event;
}

export async function countEvents(db: Db): Promise<number> {
  const r = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function countEventsById(db: Db, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
    const rows = await db
      .selectFrom('events')
      .select(['id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('id', 'in', ids.slice(i, i + INSERT_CHUNK))
      .groupBy('id')
      .execute();
    for (const r of rows) out.set(r.id, Number(r.n));
  }
  return out;
}

/** Earliest and latest event times (RFC 3339 as received), or nulls on an empty store. */
export async function eventTimeRange(db: Db): Promise<{ from: string | null; to: string | null }> {
  const first = await db
    .selectFrom('events')
    .select('ts')
    .orderBy('ts_ms')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const last = await db
    .selectFrom('events')
    .select('ts')
    .orderBy('ts_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { from: first?.ts ?? null, to: last?.ts ?? null };
}

/**
 * Events per UTC hour (`t` = hour start, epoch ms), optionally only for some accounts. Large
 * account lists are queried in chunks and summed.
 */
export async function hourlyEventCounts(
  db: Db,
  accountIds?: readonly string[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const hour = sql<number>`(ts_ms / ${sql.lit(HOUR_MS)})`;
  const run = async (ids?: readonly string[]) => {
    let q = db.selectFrom('events').select([hour.as('h'), (eb) => eb.fn.countAll<number>().as('n')]);
    if (ids) q = q.where('account_id', 'in', ids);
    const rows = await q.groupBy(hour).execute();
    for (const r of rows) {
      const t = Math.floor(Number(r.h)) * HOUR_MS;
      out.set(t, (out.get(t) ?? 0) + Number(r.n));
    }
  };
  if (!accountIds) await run();
  else
    for (let i = 0; i < accountIds.length; i += INSERT_CHUNK)
      await run(accountIds.slice(i, i + INSERT_CHUNK));
  return out;
}

/** The most recent events of one account, newest first. */
export async function recentEventsOf(db: Db, accountId: string, limit: number): Promise<ApiEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select('body')
    .where('account_id', '=', accountId)
    .orderBy('ts_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => JSON.parse(r.body) as ApiEvent);
}
