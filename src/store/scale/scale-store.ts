import { sql, type Kysely, type Transaction } from 'kysely';
import { readEnv, UserError, type Findings } from '../../contracts/index.js';
import { latestFindingsSnapshot, saveFindingsSnapshot } from '../findings-store.js';
import { dialectOf, openDatabase, type OpenDatabaseOptions } from '../database.js';
import { runMigrations } from '../migrate.js';
import { upsertRows } from '../upsert-rows.js';
import { coreMigrations } from '../migrations/index.js';
import type { CoreDatabase } from '../core-tables.js';
import { scaleMigrations } from './scale-migrations.js';
import type { ScaleDatabase, ScaleQuarantineTable } from './scale-tables.js';

export type ScaleDb = Kysely<CoreDatabase & ScaleDatabase>;

/** A lease this worker holds: the partition and the fence it was granted with. */
export interface PartitionLease {
  partition: number;
  fence: number;
  /** Highest stream sequence applied to the partition when the lease was read. */
  appliedSeq: number;
}

/**
 * Who holds a lease: the operator's worker id (shown as the partition's owner) and the holding
 * process's incarnation, a random token per start. Leases are renewed, released and committed
 * under only by the incarnation: a process restarted under the same id is another holder, and
 * takes its dead predecessor's partitions only once their leases ran out, like anyone else.
 */
export interface LeaseHolder {
  id: string;
  incarnation: string;
}

/** The row in scale_workers: one per live process, so two processes given one id count as two. */
const workerKey = (h: LeaseHolder): string => `${h.id}#${h.incarnation}`;

/** The worker's lease on a partition was taken over (it expired): nothing was written. */
export class LeaseLostError extends Error {
  constructor(readonly partition: number) {
    super(`lease on partition ${partition} lost`);
  }
}

/** How long opening the scale store waits for PostgreSQL to answer at all. */
export const SCALE_DB_CONNECT_TIMEOUT_MS = 10_000;

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the PostgreSQL URL given';
  }
}

/**
 * One round trip before anything else, so an unreachable, refusing or mistyped database is one
 * coded line (SERVICE_UNAVAILABLE) rather than a driver stack trace, within a bounded time.
 */
async function probe(db: ScaleDb, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${SCALE_DB_CONNECT_TIMEOUT_MS / 1000} s`)),
          SCALE_DB_CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    const e = err as Error & { code?: string };
    const why = e.message || e.code || 'connection failed';
    throw new UserError(
      'SERVICE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${why.split('\n')[0]}. Check --database (or DATABASE_URL) and that PostgreSQL is running.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Opens PostgreSQL for scale-out (core tables for findings, plus the scale tables). */
export async function openScaleStore(opts: OpenDatabaseOptions): Promise<ScaleDb> {
  const db = openDatabase<CoreDatabase & ScaleDatabase>(opts);
  try {
    if (dialectOf(db) !== 'postgres')
      throw new UserError(
        'INVALID_CONFIG',
        'Scale-out workers share state through PostgreSQL: pass --database-url postgres://…',
      );
    await probe(db, opts.url ?? readEnv('DISTILLGUARD_DATABASE_URL') ?? '');
    await runMigrations(db, coreMigrations);
    await runMigrations(db, scaleMigrations);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/** What a scale database is bound to: the stream, its subjects and its partition count. */
export interface BoundTopology {
  stream: string;
  subjectPrefix: string;
  partitions: number;
}

const describeTopology = (t: BoundTopology): string =>
  `stream ${t.stream} (subjects ${t.subjectPrefix}.*, ${t.partitions} partitions)`;

/**
 * Binds the database to a stream topology at first use, and refuses any other afterwards
 * (INVALID_CONFIG): the state, seen ids and leases in it are of that stream, keyed by its
 * partitions. A database from before the topology was recorded is judged by its partition rows
 * (their count is the partition count), then records the topology it is first used with.
 */
/** The topology this database was bound to by its first worker, or null before any. */
export async function boundScaleTopology(db: ScaleDb): Promise<BoundTopology | null> {
  const row = await db.selectFrom('scale_topology').selectAll().where('id', '=', 1).executeTakeFirst();
  return row ? { stream: row.stream, subjectPrefix: row.subject_prefix, partitions: row.partitions } : null;
}

export async function bindScaleTopology(db: ScaleDb, t: BoundTopology): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Serialises first binds: two workers starting at once on an empty database agree.
    await sql`lock table scale_topology in share row exclusive mode`.execute(trx);
    let row = await trx.selectFrom('scale_topology').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!row) {
      const n = await trx
        .selectFrom('scale_partitions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      const rows = Number(n.n);
      if (rows > 0 && rows !== t.partitions)
        throw new UserError(
          'INVALID_CONFIG',
          `this database holds the state of a stream with ${rows} partitions, not ${t.partitions}: use a new database (or DISTILLGUARD_DB_SCHEMA) for this stream, or run with that stream's --stream, --subject-prefix and --partitions`,
        );
      row = {
        id: 1,
        stream: t.stream,
        subject_prefix: t.subjectPrefix,
        partitions: t.partitions,
        bound_at: Date.now(),
      };
      await trx.insertInto('scale_topology').values(row).execute();
      return;
    }
    const bound: BoundTopology = {
      stream: row.stream,
      subjectPrefix: row.subject_prefix,
      partitions: row.partitions,
    };
    if (
      bound.stream !== t.stream ||
      bound.subjectPrefix !== t.subjectPrefix ||
      bound.partitions !== t.partitions
    )
      throw new UserError(
        'INVALID_CONFIG',
        `this database belongs to ${describeTopology(bound)}, not ${describeTopology(t)}: use a new database (or DISTILLGUARD_DB_SCHEMA) for this stream, or run with the database's --stream, --subject-prefix and --partitions`,
      );
  });
}

/**
 * Whether scale-out workers keep their state in this database (PostgreSQL with partition rows).
 * A server that detects by itself must not store its own findings there: they would become the
 * newest snapshot and hide the workers' findings.
 */
export async function holdsScaleWorkers(db: Kysely<CoreDatabase>): Promise<boolean> {
  if (dialectOf(db) !== 'postgres') return false;
  const t = await sql<{ t: string | null }>`select to_regclass('scale_partitions')::text as t`.execute(db);
  if (!t.rows[0]?.t) return false;
  const any = await sql<{ n: boolean }>`select exists (select 1 from scale_partitions) as n`.execute(db);
  return any.rows[0]?.n === true;
}

/** Creates the partition rows (idempotent); the count is fixed for the life of a stream. */
export async function ensurePartitionRows(db: ScaleDb, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => i);
  await sql`insert into scale_partitions (partition) select unnest(${ids}::int[]) on conflict do nothing`.execute(
    db,
  );
}

/** Records that a worker is alive; returns how many workers were seen within `liveMs`. */
export async function heartbeatWorker(
  db: ScaleDb,
  holder: LeaseHolder,
  now: number,
  liveMs: number,
): Promise<number> {
  await db
    .insertInto('scale_workers')
    .values({ worker_id: workerKey(holder), seen_at: now })
    .onConflict((oc) => oc.column('worker_id').doUpdateSet({ seen_at: now }))
    .execute();
  await db
    .deleteFrom('scale_workers')
    .where('seen_at', '<', now - 10 * liveMs)
    .execute();
  const row = await db
    .selectFrom('scale_workers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('seen_at', '>=', now - liveMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function removeWorker(db: ScaleDb, holder: LeaseHolder): Promise<void> {
  await db
    .updateTable('scale_partitions')
    .set({ owner: null, incarnation: null, lease_until: 0 })
    .where('incarnation', '=', holder.incarnation)
    .execute();
  await db.deleteFrom('scale_workers').where('worker_id', '=', workerKey(holder)).execute();
}

/**
 * Extends the leases this incarnation holds; returns them (a lost one is absent). Rows another
 * incarnation of the same worker id holds (a crashed predecessor) are left to run out.
 */
export async function renewLeases(
  db: ScaleDb,
  holder: LeaseHolder,
  now: number,
  leaseMs: number,
): Promise<PartitionLease[]> {
  const rows = await db
    .updateTable('scale_partitions')
    .set({ lease_until: now + leaseMs })
    .where('incarnation', '=', holder.incarnation)
    .returning(['partition', 'fence', 'applied_seq'])
    .execute();
  return rows.map((r) => ({
    partition: r.partition,
    fence: Number(r.fence),
    appliedSeq: Number(r.applied_seq),
  }));
}

/**
 * Takes up to `max` free partitions, or ones whose lease ran out a whole lease ago (a worker
 * starved of CPU renews late; taking its partition at the first expiry would leave its in-flight
 * batch to be redelivered after newer messages). Skips rows another worker is changing.
 */
export async function claimPartitions(
  db: ScaleDb,
  holder: LeaseHolder,
  max: number,
  now: number,
  leaseMs: number,
): Promise<PartitionLease[]> {
  if (max <= 0) return [];
  const res = await sql<{ partition: number; fence: string | number; applied_seq: string | number }>`
    update scale_partitions
    set owner = ${holder.id}, incarnation = ${holder.incarnation}, lease_until = ${now + leaseMs}, fence = fence + 1
    where partition in (
      select partition from scale_partitions
      where owner is null or lease_until < ${now - leaseMs}
      order by partition
      limit ${max}
      for update skip locked
    )
    returning partition, fence, applied_seq`.execute(db);
  return res.rows.map((r) => ({
    partition: r.partition,
    fence: Number(r.fence),
    appliedSeq: Number(r.applied_seq),
  }));
}

/**
 * Partitions nobody works on now: free, or whose lease ran out a whole lease ago (claimable). A
 * partition that stays so is not consumed: its messages wait in the stream.
 */
export async function claimablePartitions(db: ScaleDb, now: number, leaseMs: number): Promise<number[]> {
  const rows = await db
    .selectFrom('scale_partitions')
    .select('partition')
    .where((eb) => eb.or([eb('owner', 'is', null), eb('lease_until', '<', now - leaseMs)]))
    .orderBy('partition')
    .execute();
  return rows.map((r) => r.partition);
}

export async function releasePartition(db: ScaleDb, holder: LeaseHolder, partition: number): Promise<void> {
  await db
    .updateTable('scale_partitions')
    .set({ owner: null, incarnation: null, lease_until: 0 })
    .where('partition', '=', partition)
    .where('incarnation', '=', holder.incarnation)
    .execute();
}

/**
 * One account's durable state: JSON text, and its kernel sum in binary (null in rows written
 * before the kernel column, whose JSON holds it). The pipeline encodes and validates both.
 */
export interface StoredAccountState {
  state: string;
  kernel: Buffer | null;
}

/** Every stored account state of one partition. */
export async function loadPartitionStates(db: ScaleDb, partition: number): Promise<StoredAccountState[]> {
  return db
    .selectFrom('scale_account_state')
    .select(['state', 'kernel'])
    .where('partition', '=', partition)
    .execute();
}

/** Every stored account state, in pages by account id (bounded memory per round trip). */
export async function* allAccountStates(db: ScaleDb, pageSize = 2000): AsyncGenerator<StoredAccountState[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('scale_account_state')
      .select(['account_id', 'state', 'kernel'])
      .where('account_id', '>', after)
      .orderBy('account_id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.account_id;
  }
}

/** Each partition's version (bumped by every commit of it), by partition. */
export async function partitionVersions(db: ScaleDb): Promise<Map<number, number>> {
  const rows = await db.selectFrom('scale_partitions').select(['partition', 'version']).execute();
  return new Map(rows.map((r) => [r.partition, Number(r.version)]));
}

/**
 * The stored account states written since `since` (partition → the version last seen; a
 * partition absent from it is read whole), in pages by account id. Only partitions whose version
 * in `now` (read before, with partitionVersions) is above what was seen are asked for. A row can
 * come back again in a later round (written after `now` was read): reading it twice is harmless,
 * while a row never read would be a change missed.
 */
export async function* accountStatesSince(
  db: ScaleDb,
  since: ReadonlyMap<number, number>,
  now: ReadonlyMap<number, number>,
  pageSize = 2000,
): AsyncGenerator<StoredAccountState[]> {
  const parts: number[] = [];
  const after: number[] = [];
  for (const [p, v] of now) {
    const seen = since.get(p) ?? -1;
    if (v > seen) {
      parts.push(p);
      after.push(seen);
    }
  }
  if (parts.length === 0) return;
  let from = '';
  for (;;) {
    const res = await sql<{ account_id: string } & StoredAccountState>`
      select s.account_id, s.state, s.kernel from scale_account_state s
      join unnest(${parts}::int[], ${after}::bigint[]) as w(p, v) on s.partition = w.p
      where s.version > w.v and s.account_id > ${from}
      order by s.account_id limit ${pageSize}`.execute(db);
    const rows = res.rows;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    from = rows[rows.length - 1]!.account_id;
  }
}

/**
 * A stream message that is not a valid event or record of its partition, kept with why: the
 * table's row less what the commit adds (stream, partition, time).
 */
export type QuarantinedMessage = Pick<
  ScaleQuarantineTable,
  'seq' | 'subject' | 'reason' | 'message' | 'raw' | 'raw_encoding' | 'raw_bytes' | 'raw_truncated'
> & {
  /**
   * For a line a publisher rejected and forwarded: its identity (source, line number, content).
   * A row with the same key is never stored twice, however long after the first it comes.
   */
  line_key?: ScaleQuarantineTable['line_key'];
};

export interface PartitionBatch {
  holder: LeaseHolder;
  lease: PartitionLease;
  /** The stream the batch came from (quarantine rows are keyed by stream and sequence). */
  stream: string;
  /** The batch's events: id and the stream sequence that carried it (duplicate ids allowed). */
  events: readonly { id: string; seq: number }[];
  /** Messages of the batch that could not be applied; stored in the same transaction. */
  quarantined?: readonly QuarantinedMessage[];
  /** Highest stream sequence in the batch. */
  maxSeq: number;
  /** When set, the commit also extends the lease to now + leaseMs (a busy partition keeps its lease). */
  leaseMs?: number;
  /**
   * Called inside the transaction with the ids never applied before: applies them to the
   * in-memory state and returns the changed accounts' states.
   */
  apply(fresh: ReadonlySet<string>): ({ account_id: string } & StoredAccountState)[];
}

const STATE_ROWS_PER_INSERT = 2000;

/**
 * Makes one batch durable in one transaction: checks the lease (and its fence), records the
 * batch's new event ids and its quarantined messages, upserts the changed accounts' state and
 * bumps the partition's counters. Throws LeaseLostError (nothing written) when another worker
 * took the partition.
 */
export async function commitPartitionBatch(
  db: ScaleDb,
  b: PartitionBatch,
): Promise<{ applied: number; duplicates: number; quarantined: number; leaseUntil: number | null }> {
  return db.transaction().execute(async (trx: Transaction<CoreDatabase & ScaleDatabase>) => {
    const { partition, fence } = b.lease;
    const now = Date.now();
    // First sequence per id: a re-publication inside the batch is a duplicate of the first.
    const seqOf = new Map<string, number>();
    for (const e of b.events) if (!seqOf.has(e.id)) seqOf.set(e.id, e.seq);
    // One statement (one round trip instead of three, per batch): lock the partition's row if this
    // process still holds it under the same fence, record the batch's new event ids, and bump the
    // partition's counters and version. Not held: nothing is written and version comes back null.
    // The version is bumped before the states are written: the changed rows carry it, so the
    // scorer can read just the rows written since the versions it last saw (the row lock orders
    // this partition's commits). The lease is measured from the commit's start.
    const leaseUntil = b.leaseMs ? now + b.leaseMs : null;
    const head = await sql<{ version: string | number | null; fresh: string[] }>`
      with lease as (
        select partition from scale_partitions
        where partition = ${partition} and incarnation = ${b.holder.incarnation}
          and fence = ${fence}::bigint
        for update),
      ins as (
        insert into scale_seen_events (event_id, partition, seq, seen_at)
        select id, ${partition}::int, s, ${now}::bigint
        from unnest(${[...seqOf.keys()]}::text[], ${[...seqOf.values()]}::bigint[]) as t(id, s)
        where exists (select 1 from lease)
        on conflict do nothing returning event_id),
      bumped as (
        update scale_partitions set events = events + (select count(*) from ins), version = version + 1,
          applied_seq = greatest(applied_seq, ${b.maxSeq}::bigint),
          lease_until = greatest(lease_until, ${leaseUntil ?? 0}::bigint)
        where partition = (select partition from lease) returning version)
      select (select version from bumped) as version, array(select event_id from ins) as fresh`.execute(trx);
    const h = head.rows[0];
    if (!h || h.version === null) throw new LeaseLostError(partition);
    const fresh = new Set<string>(h.fresh);
    const version = Number(h.version);
    let quarantined = 0;
    for (const q of b.quarantined ?? []) {
      // Either key may conflict: the same message redelivered (stream, seq), or the same
      // forwarded line published again after the stream's duplicate window (line_key).
      const ins = await trx
        .insertInto('scale_quarantine')
        .values({ ...q, line_key: q.line_key ?? null, stream: b.stream, partition, received_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      quarantined += Number(ins.numInsertedOrUpdatedRows ?? 0);
    }
    const states = b.apply(fresh);
    // One parameter per value (not text arrays: the driver escapes every quote of every state
    // into the array literal, which cost as much as encoding the states), in statements of at
    // most STATE_ROWS_PER_INSERT rows (PostgreSQL takes at most 65,535 parameters).
    await upsertRows(
      trx,
      'scale_account_state',
      'account_id',
      ['state', 'kernel', 'partition', 'version', 'updated_at'],
      states.map((s) => ({
        account_id: s.account_id,
        partition,
        state: s.state,
        kernel: s.kernel,
        version,
        updated_at: now,
      })),
      STATE_ROWS_PER_INSERT,
    );
    return { applied: fresh.size, duplicates: b.events.length - fresh.size, quarantined, leaseUntil };
  });
}

/**
 * Extends one lease (owner and fence must still match); returns its new end, or null when the
 * lease is lost. A worker calls it before a batch that might outlast what is left of the lease.
 */
export async function renewPartitionLease(
  db: ScaleDb,
  holder: LeaseHolder,
  lease: PartitionLease,
  now: number,
  leaseMs: number,
): Promise<number | null> {
  const res = await db
    .updateTable('scale_partitions')
    .set({ lease_until: now + leaseMs })
    .where('partition', '=', lease.partition)
    .where('incarnation', '=', holder.incarnation)
    .where('fence', '=', lease.fence)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0 ? now + leaseMs : null;
}

/**
 * Deletes a partition's seen event ids that no redelivery can bring back: their message is at or
 * below the consumer's acknowledgement floor (acknowledged messages are never delivered again)
 * and they were applied before `appliedBefore` (ids kept that long still catch a re-publication
 * the stream's duplicate window no longer drops). Deletes in chunks; returns how many.
 */
export async function pruneSeenEvents(
  db: ScaleDb,
  partition: number,
  ackFloorSeq: number,
  appliedBefore: number,
  chunk = 20_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await sql`
      delete from scale_seen_events where ctid in (
        select ctid from scale_seen_events
        where partition = ${partition} and seq <= ${ackFloorSeq}::bigint and seen_at < ${appliedBefore}::bigint
        limit ${chunk})`.execute(db);
    const n = Number(res.numAffectedRows ?? 0);
    total += n;
    if (n < chunk) return total;
  }
}

/** How many seen event ids are kept (all partitions, or one). */
export async function countSeenEvents(db: ScaleDb, partition?: number): Promise<number> {
  let q = db.selectFrom('scale_seen_events').select((eb) => eb.fn.countAll<string>().as('n'));
  if (partition !== undefined) q = q.where('partition', '=', partition);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Quarantined stream messages, oldest first. */
export async function listQuarantined(
  db: ScaleDb,
  limit = 1000,
): Promise<(QuarantinedMessage & { partition: number; stream: string; received_at: number })[]> {
  const rows = await db.selectFrom('scale_quarantine').selectAll().orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), received_at: Number(r.received_at) }));
}

export async function countQuarantined(db: ScaleDb): Promise<number> {
  const row = await db
    .selectFrom('scale_quarantine')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ScaleProgress {
  /** Distinct events applied, over all partitions. */
  events: number;
  /** Sum of partition versions: changes when any partition commits. */
  version: number;
  partitions: {
    partition: number;
    owner: string | null;
    events: number;
    applied_seq: number;
    /** When the owner's lease ends unless renewed (ms; 0 when free). */
    lease_until: number;
  }[];
}

export async function scaleProgress(db: ScaleDb): Promise<ScaleProgress> {
  const rows = await db
    .selectFrom('scale_partitions')
    .select(['partition', 'owner', 'events', 'applied_seq', 'version', 'lease_until'])
    .orderBy('partition')
    .execute();
  return {
    events: rows.reduce((s, r) => s + Number(r.events), 0),
    version: rows.reduce((s, r) => s + Number(r.version), 0),
    partitions: rows.map((r) => ({
      partition: r.partition,
      owner: r.owner,
      events: Number(r.events),
      applied_seq: Number(r.applied_seq),
      lease_until: Number(r.lease_until),
    })),
  };
}

// An advisory lock is database-wide; the second key, the schema's hash, keeps deployments in
// different schemas of one database from taking turns with each other.
const SCORING_LOCK = 0x44475343; // 'DGSC'

/**
 * What scoring would see, as one number: partition commits and analysts' false-positive verdicts
 * (rows are only ever added) both change what scoring would give.
 */
const SCORING_VERSION = sql<number>`(select coalesce(sum(version), 0) from scale_partitions)
  + (select count(*) from benign_reference)`;

/** What scoring would see now (`version`) and what the last round scored (`scored`, -1 before any). */
export async function scoringBacklog(db: ScaleDb): Promise<{ version: number; scored: number }> {
  const r = await sql<{
    v: string | number | null;
    s: string | number | null;
  }>`select ${SCORING_VERSION} as v,
    (select scored_version from scale_scoring where id = 1) as s`.execute(db);
  const row = r.rows[0];
  return {
    version: Number(row?.v ?? 0),
    scored: row?.s === null || row?.s === undefined ? -1 : Number(row.s),
  };
}

/**
 * Runs `fn` while holding this deployment's scoring lock (a transaction-scoped advisory lock),
 * only when partitions or the benign reference changed since the last scoring (or `force`). Returns null when another
 * worker holds the lock or nothing changed.
 */
export async function withScoringLock<T>(
  db: ScaleDb,
  fn: (version: number) => Promise<T>,
  force = false,
): Promise<T | null> {
  return db.transaction().execute(async (trx) => {
    const got = await sql<{
      ok: boolean;
    }>`select pg_try_advisory_xact_lock(${SCORING_LOCK}, hashtext(current_schema())) as ok`.execute(trx);
    if (!got.rows[0]?.ok) return null;
    const v = await sql<{ v: string | number | null }>`select ${SCORING_VERSION} as v`.execute(trx);
    const version = Number(v.rows[0]?.v ?? 0);
    const last = await trx
      .selectFrom('scale_scoring')
      .select('scored_version')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (!force && last && Number(last.scored_version) === version) return null;
    const out = await fn(version);
    await trx
      .updateTable('scale_scoring')
      .set({ scored_version: version, scored_at: Date.now() })
      .where('id', '=', 1)
      .execute();
    return out;
  });
}

/** Stores findings where the server and dashboard read them (the core findings snapshots). */
/** The newest findings the workers scored, or null before the first scoring. */
export async function latestScaleFindings(db: ScaleDb): Promise<Findings | null> {
  return latestFindingsSnapshot(db as unknown as Kysely<CoreDatabase>);
}

export async function saveScaleFindings(db: ScaleDb, findings: Findings): Promise<void> {
  await saveFindingsSnapshot(db as unknown as Kysely<CoreDatabase>, findings);
}
