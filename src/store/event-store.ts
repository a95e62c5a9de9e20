import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { WorkSlice, type ApiEvent } from '../contracts/index.js';
import { sqliteConnectionOf } from './database.js';
import type { CoreDatabase, EventQuarantineTable } from './core-tables.js';

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
 *
 * Between slices of rows the event loop gets a turn: a server inserting a large batch keeps
 * answering other requests (decision lookups) meanwhile; the transaction holds the connection, so
 * the store's other queries wait for the commit as before.
 */
export async function insertEvents(
  db: Db,
  events: readonly ApiEvent[],
  opts: InsertEventsOptions = {},
): Promise<string[]> {
  if (events.length === 0) return [];
  const now = opts.now ?? Date.now();
  const raw = opts.raw;
  const row = (e: ApiEvent, i: number) => ({
    id: e.id,
    account_id: e.account_id,
    ts: e.ts,
    ts_ms: Date.parse(e.ts),
    body: raw?.[i] ?? JSON.stringify(e),
    received_at: now,
  });
  const sqlite = sqliteConnectionOf(db);
  return db.transaction().execute(async (trx) => {
    const inserted: string[] = [];
    if (sqlite) {
      // better-sqlite3 is synchronous: one cached prepared statement per row is ~2× faster than
      // Kysely's multi-row INSERT, which is compiled and prepared anew for every chunk.
      const insert = insertEventStatement(sqlite);
      // About a millisecond of synchronous inserts per turn of the loop, so a big batch does not
      // hold other requests for its whole insert.
      const slice = new WorkSlice();
      for (let i = 0; i < events.length; i++) {
        if (slice.due()) await slice.yield();
        const r = row(events[i]!, i);
        if (insert.run(r.id, r.account_id, r.ts, r.ts_ms, r.body, r.received_at).changes === 1)
          inserted.push(r.id);
      }
      return inserted;
    }
    for (let i = 0; i < events.length; i += INSERT_CHUNK) {
      const rows = events.slice(i, i + INSERT_CHUNK).map((e, j) => row(e, i + j));
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

const insertStatements = new WeakMap<SQLite.Database, SQLite.Statement>();

function insertEventStatement(sqlite: SQLite.Database): SQLite.Statement {
  let stmt = insertStatements.get(sqlite);
  if (!stmt) {
    stmt = sqlite.prepare(
      'INSERT INTO events (id, account_id, ts, ts_ms, body, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    insertStatements.set(sqlite, stmt);
  }
  return stmt;
}

export interface StoredEvent {
  id: string;
  /** The event's JSON text as stored (to be parsed and validated by the reader). */
  body: string;
  /** When the store received it (epoch ms). */
  receivedAt: number;
}

/**
 * Every stored event row in time order with its receipt time, paged by keyset so memory stays
 * flat. Bodies are not parsed here: a reader that must survive a bad row checks each one.
 */
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
    for (const r of rows) yield { id: r.id, body: r.body, receivedAt: Number(r.received_at) };
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { ts_ms: last.ts_ms, id: last.id };
  }
}

/** Every stored event in time order. */
export async function* streamEvents(db: Db, pageSize = 2000): AsyncGenerator<ApiEvent> {
  for await (const s of streamStoredEvents(db, pageSize)) yield JSON.parse(s.body) as ApiEvent;
}

/** A quarantined stored event, as the table holds it. */
export type QuarantinedStoredEvent = EventQuarantineTable;

/**
 * Moves a stored event out of `events` into `event_quarantine` with why, in one transaction:
 * the rebuild at start then never meets it again, and it stays there for an operator to read.
 * Idempotent (a second call for the same id changes nothing); false when no such event was stored.
 */
export async function quarantineStoredEvent(
  db: Db,
  q: { id: string; reason: string; message: string; now?: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('events')
      .select(['id', 'account_id', 'ts', 'body', 'received_at'])
      .where('id', '=', q.id)
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .insertInto('event_quarantine')
      .values({
        ...row,
        received_at: Number(row.received_at),
        reason: q.reason,
        message: q.message,
        quarantined_at: q.now ?? Date.now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx.deleteFrom('events').where('id', '=', q.id).execute();
    return true;
  });
}

/** Quarantined stored events, most recent first. */
export async function listQuarantinedStoredEvents(db: Db, limit = 1000): Promise<QuarantinedStoredEvent[]> {
  const rows = await db
    .selectFrom('event_quarantine')
    .selectAll()
    .orderBy('quarantined_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    received_at: Number(r.received_at),
    quarantined_at: Number(r.quarantined_at),
  }));
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
