import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from '../database.js';
import type { HubDatabase } from './hub-tables.js';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export const AUDIT_GENESIS = '0'.repeat(64);

/** Each entry's hash covers the previous hash and every stored field, so any edit breaks the chain. */
export function auditHash(
  prev: string,
  seq: number,
  at: string,
  actor: string,
  action: string,
  detail: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([prev, seq, at, actor, action, detail]))
    .digest('hex');
}

export interface HubAuditInput {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** Entries waiting for the next append transaction of one database instance. */
interface AuditQueue {
  waiting: { e: HubAuditInput; now: Date; resolve: () => void; reject: (err: unknown) => void }[];
  flushing: boolean;
}
const queues = new WeakMap<object, AuditQueue>();
/** Entries one transaction appends at most, so a flood cannot hold the chain's lock for long. */
const MAX_BATCH = 256;

/**
 * Appends one entry at the chain's head; serialised by a table lock on PostgreSQL. Resolves once
 * the entry is committed. Entries of concurrent callers (on one instance) that arrive while an
 * append is in flight share the next transaction (group commit): one lock and one read of the
 * head per batch instead of per entry, in arrival order, with the same rows as one by one.
 */
export function appendHubAudit(db: Kysely<HubDatabase>, e: HubAuditInput, now = new Date()): Promise<void> {
  let q = queues.get(db);
  if (!q) {
    q = { waiting: [], flushing: false };
    queues.set(db, q);
  }
  const queue = q;
  return new Promise<void>((resolve, reject) => {
    queue.waiting.push({ e, now, resolve, reject });
    if (!queue.flushing) void flushAudit(db, queue);
  });
}

async function flushAudit(db: Kysely<HubDatabase>, q: AuditQueue): Promise<void> {
  q.flushing = true;
  while (q.waiting.length) {
    const batch = q.waiting.splice(0, MAX_BATCH);
    try {
      await appendBatch(db, batch);
      for (const w of batch) w.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        continue;
      }
      // One entry the database refuses must not fail the other callers' requests: each entry
      // of the failed batch is tried again alone, so only the bad one is refused.
      for (const w of batch) await appendBatch(db, [w]).then(w.resolve, (e: unknown) => w.reject(e));
    }
  }
  q.flushing = false;
}

/**
 * One transaction per batch. The entries' seqs are reserved first (from the sequence, so a seq is
 * never reused, even after a deletion at the tail), which lets each hash be computed before the
 * row is written: the batch is one multi-row insert of sealed rows instead of an insert and an
 * update per entry. On PostgreSQL: begin, lock, head + seqs, insert, commit, whatever the size.
 */
async function appendBatch(db: Kysely<HubDatabase>, batch: readonly { e: HubAuditInput; now: Date }[]) {
  await db.transaction().execute(async (trx) => {
    const postgres = dialectOf(db) === 'postgres';
    if (postgres) await sql`lock table hub_audit in exclusive mode`.execute(trx);
    const { head, seqs } = postgres
      ? await reservePostgres(trx, batch.length)
      : await reserveSqlite(trx, batch.length);
    let prev = head;
    const rows = batch.map((w, i) => {
      const at = w.now.toISOString();
      const detail = JSON.stringify(w.e.detail);
      const seq = seqs[i]!;
      const hash = auditHash(prev, seq, at, w.e.actor, w.e.action, detail);
      const row = { seq, at, actor: w.e.actor, action: w.e.action, detail, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await trx.insertInto('hub_audit').values(rows).execute();
  });
}

/** The head's hash and `n` fresh seqs, ascending; the caller holds the table lock. */
async function reservePostgres(trx: Db, n: number): Promise<{ head: string; seqs: number[] }> {
  const r = await sql<{ head: string | null; seqs: (string | number)[] }>`select
      (select hash from hub_audit order by seq desc limit 1) as head,
      array(select nextval(pg_get_serial_sequence('hub_audit', 'seq')) from generate_series(1, ${n})) as seqs`.execute(
    trx,
  );
  const row = r.rows[0]!;
  return { head: row.head ?? AUDIT_GENESIS, seqs: row.seqs.map(Number).sort((a, b) => a - b) };
}

/**
 * SQLite: the next seqs after the highest ever assigned (sqlite_sequence, which AUTOINCREMENT
 * keeps and an explicit seq advances), as AUTOINCREMENT itself would assign them.
 */
async function reserveSqlite(trx: Db, n: number): Promise<{ head: string; seqs: number[] }> {
  const r = await sql<{ head: string | null; last: number | null; top: number | null }>`select
      (select hash from hub_audit order by seq desc limit 1) as head,
      (select seq from sqlite_sequence where name = 'hub_audit') as last,
      (select max(seq) from hub_audit) as top`.execute(trx);
  const row = r.rows[0]!;
  const last = Math.max(Number(row.last ?? 0), Number(row.top ?? 0));
  return { head: row.head ?? AUDIT_GENESIS, seqs: Array.from({ length: n }, (_, i) => last + 1 + i) };
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** First broken entry, when not ok. */
  brokenAt?: number;
  reason?: string;
}

export async function verifyHubAudit(db: Kysely<HubDatabase>): Promise<AuditVerification> {
  let prev = AUDIT_GENESIS;
  let entries = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('hub_audit')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (r.prev_hash !== prev)
        return { ok: false, entries, brokenAt: seq, reason: 'prev_hash does not match the previous entry' };
      if (r.hash !== auditHash(prev, seq, r.at, r.actor, r.action, r.detail))
        return { ok: false, entries, brokenAt: seq, reason: 'entry was altered after it was written' };
      prev = r.hash;
      entries++;
      after = seq;
    }
  }
  return { ok: true, entries };
}

export async function listHubAudit(
  db: Kysely<HubDatabase>,
  limit = 100,
): Promise<{ seq: number; at: string; actor: string; action: string; detail: unknown }[]> {
  const rows = await db.selectFrom('hub_audit').selectAll().orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    detail: JSON.parse(r.detail) as unknown,
  }));
}
