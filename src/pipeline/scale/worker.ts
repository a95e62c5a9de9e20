import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, ConsumerInfo, JsMsg, NatsConnection } from 'nats';
import { pino, type Logger } from 'pino';
import { DetectionEngine } from '../../findings/index.js';
import type { DetectConfigInput, Findings } from '../../contracts/index.js';
import {
  bindScaleTopology,
  claimablePartitions,
  claimPartitions,
  commitPartitionBatch,
  ensurePartitionRows,
  heartbeatWorker,
  LeaseLostError,
  loadPartitionStates,
  pruneSeenEvents,
  releasePartition,
  removeWorker,
  renewLeases,
  renewPartitionLease,
  scoringBacklog,
  type LeaseHolder,
  type PartitionLease,
  type QuarantinedMessage,
  type ScaleDb,
  type StoredAccountState,
} from '../../store/index.js';
import { encodeAccountState, restoreStoredAccount } from './account-state-codec.js';
import { consumerOf, type ScaleTopology } from './topology.js';
import { checkBatch } from './contiguity.js';
import { decodeMessage, ScannedEvents, type AppliedMessage } from './quarantine.js';
import { PartitionPuller } from './puller.js';
import { Slots } from './slots.js';
import { scoreScaleDetail, ScoringStates } from './scorer.js';
import { ScoringThread, ScoringThreadDied } from './scoring-thread-client.js';
import { scoringThreadAvailable, type ScoredRound } from './scoring-thread-protocol.js';
import { DEFAULT_MAX_ACK_PENDING } from './stream.js';

export interface ScaleWorkerOptions {
  nc: NatsConnection;
  db: ScaleDb;
  topology: ScaleTopology;
  workerId?: string;
  /** Messages per fetch and per commit; at most the consumers' max_ack_pending. */
  batchSize?: number;
  /** A lease not renewed for this long may be taken by another worker. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** How long one fetch waits for messages (default 1 s, at most a quarter of the ack wait). */
  fetchWaitMs?: number;
  /**
   * A fetch holding messages hands them out once none arrived for this long (0: only when its
   * pull request is over). Default 100 ms: the end of a burst is applied at once, not after the
   * rest of the pull's wait, while flowing traffic (deliveries milliseconds apart) fills batches.
   */
  fetchIdleMs?: number;
  /** Batches applied at once (over all partitions), default 2; fetched batches wait their turn. */
  concurrentBatches?: number;
  /** Run the global scoring stage this often (0: never; another worker or `--score-every` does). */
  scoreEveryMs?: number;
  /**
   * Also run a round as soon as nothing new was committed for this long after a change (0: only
   * every `scoreEveryMs`), so the findings follow the end of a burst instead of the next interval.
   * Such rounds keep at least QUIET_ROUND_SPACING times the last round's duration between them.
   */
  scoreWhenQuietMs?: number;
  /** Prune each leased partition's acknowledged seen event ids this often (0: never). Default 60 s. */
  pruneEveryMs?: number;
  /**
   * Keep seen ids at least this long after they were applied, even once acknowledged, so a
   * re-publication after the stream's duplicate window is still caught. Default: that window.
   */
  seenRetentionMs?: number;
  /**
   * Where the scoring thread connects (the same database as `db`): with it, and in the built CLI,
   * scoring rounds run in a worker thread with a pool of their own, so batches keep being applied
   * during a round. Without it (or under sources, as in tests) rounds run on this event loop.
   */
  scoringStore?: { url: string; schema?: string | undefined };
  config?: DetectConfigInput;
  log?: Logger;
  onScored?: (findings: Findings) => void;
}

/** How long a batch waits for deliveries the server sent before its outstanding count is compared. */
const SETTLE_MS = 10_000;

/**
 * A message held (buffered, waiting for its turn, applied) is kept in progress for at most this
 * many ack waits after its delivery: a partition loop stuck longer lets it come back.
 */
const IN_PROGRESS_ACK_WAITS = 4;

/**
 * A round run because traffic went quiet starts at least this many times the last round's
 * duration after it ended: sparse traffic (a commit every few seconds) then keeps scoring to at
 * most a fifth of a core instead of a round per commit.
 */
const QUIET_ROUND_SPACING = 4;

/** Scoring thread deaths in a row after which rounds run in process (each death is logged and counted). */
const THREAD_DEATHS_BEFORE_IN_PROCESS = 3;

/** How this worker's scoring rounds run, for metrics. */
export interface ScoringMode {
  /** Rounds run in a worker thread (false: on the worker's event loop). */
  threaded: boolean;
  /** Times the scoring thread died (each restarted, or scoring moved in process after repeated deaths). */
  threadDeaths: number;
  /** Account state rows the scoring rounds read from PostgreSQL (a round reads only those changed since the last). */
  rowsLoaded: number;
  /** Rounds run early because commits went quiet (`scoreWhenQuietMs`), not at the interval. */
  quietRounds: number;
}

interface Owned {
  lease: PartitionLease;
  /** Set when the partition must stop: lost (no more commits) or released (finish, then free it). */
  stop: 'lost' | 'release' | null;
  done: Promise<void>;
  /** Highest stream sequence this lease committed: a fresh event below it arrived out of order. */
  lastSeq: number;
  /** Until when this lease surely holds (its last renewal by heartbeat, commit or before a batch). */
  leaseUntil: number;
  /** When to prune this partition's seen ids next. */
  pruneAt: number;
  /** The consumer's ack wait: a fetched batch not acknowledged within it is redelivered. */
  ackWaitMs: number;
  /** Fetch at least this many next time: the messages outstanding when a batch was held back. */
  fetchAtLeast: number;
  /**
   * What the partition's loop is doing, for readiness: restoring its state, waiting out a
   * previous owner's unacknowledged batch, consuming, or retrying after an error.
   */
  phase: 'starting' | 'orphans' | 'consuming' | 'failing';
}

/** What one partition did under this worker (for metrics): counts since the worker started. */
export interface PartitionCounts {
  applied: number;
  duplicates: number;
  /** Messages quarantined (invalid, or rejected lines forwarded by a publisher). */
  rejected: number;
}

/** Durations observed by a worker, for its metrics. */
export interface WorkerTimings {
  /** Seconds each committed batch took to apply and commit (one transaction). */
  batchSeconds: number[];
  /** Seconds each scoring round took (rounds that scored; skipped ones are not counted). */
  scoringSeconds: number[];
  /** When the last scoring round finished (ms), 0 when none did. */
  lastScoredAt: number;
}

export interface WorkerStats {
  applied: number;
  duplicates: number;
  invalid: number;
  commits: number;
  retries: number;
  /** Fresh events that arrived after a newer event of their partition (order-sensitive statistics may move). */
  reordered: number;
  /** Stream messages quarantined (invalid, or of another partition); `invalid` counts them too. */
  quarantined: number;
  /** Seen event ids pruned (acknowledged, older than the retention). */
  pruned: number;
  /** Leases renewed before a batch because too little of them was left. */
  renewals: number;
  /**
   * Messages marked in progress (their ack wait restarted) because they were held a quarter of an
   * ack wait or longer: buffered behind a slow batch, waiting for their turn, or in a slow commit.
   */
  extended: number;
  /** Batches held back because deliveries outside them were still unacknowledged (missed or orphaned). */
  gaps: number;
  /**
   * Redelivered copies dropped from batches (a message's ack wait ran out before its ack arrived):
   * of messages already acknowledged, or a second copy in one batch.
   */
  copies: number;
}

/** Waits `ms`, or less when `signal` aborts (a stopping worker does not wait out its timers). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * A scale-out worker. It leases a fair share of the partitions in PostgreSQL (renewed by
 * heartbeat; a dead worker's leases expire and others take them, a new worker makes others
 * release their surplus), and per leased partition pulls from that partition's durable
 * JetStream consumer. Each fetched batch is applied to the partition's engine and made durable
 * in one transaction (new event ids + changed accounts' state) before any message is
 * acknowledged, so redelivery never double counts and a crash loses nothing.
 */
export class ScaleWorker {
  readonly id: string;
  /** This process's lease identity: the id plus a random token of this start (see LeaseHolder). */
  readonly holder: LeaseHolder;
  readonly stats: WorkerStats = {
    applied: 0,
    duplicates: 0,
    invalid: 0,
    commits: 0,
    retries: 0,
    reordered: 0,
    quarantined: 0,
    pruned: 0,
    renewals: 0,
    extended: 0,
    gaps: 0,
    copies: 0,
  };
  private readonly owned = new Map<number, Owned>();
  /** Per-partition counts since start (kept after a partition moves, as Prometheus counters are). */
  readonly partitionCounts = new Map<number, PartitionCounts>();
  /**
   * Observed durations not yet taken by `takeTimings()` (the metrics endpoint folds them into its
   * histograms), bounded so a worker nobody scrapes does not grow.
   */
  private timings: WorkerTimings = { batchSeconds: [], scoringSeconds: [], lastScoredAt: 0 };
  private running = false;
  /** Aborted by stop(): every wait between rounds (heartbeat, scoring, orphans, back-off) ends at once. */
  private stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private scoring: Promise<void> | null = null;
  /** The scoring thread while rounds run in one (started on the first round, again after a death). */
  private scorer: ScoringThread | null = null;
  private deathsInARow = 0;
  readonly scoringMode: ScoringMode;
  /** The states rounds in process read so far (a scoring thread keeps its own). */
  private readonly scoringStates: ScoringStates;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pruneEveryMs: number;
  private seenRetentionMs: number;
  private readonly slots: Slots;
  /** Since when each partition was seen with no live lease (for the unowned-partition warning). */
  private readonly unownedSince = new Map<number, number>();
  /** An engine that holds no state, only the feature caches every partition's engine shares. */
  private featureCaches: DetectionEngine | null = null;

  constructor(private readonly o: ScaleWorkerOptions) {
    this.id = o.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.holder = { id: this.id, incarnation: randomBytes(8).toString('hex') };
    this.log = (o.log ?? pino({ level: 'silent' })).child({
      worker: this.id,
      incarnation: this.holder.incarnation,
    });
    this.batchSize = Math.min(o.batchSize ?? DEFAULT_MAX_ACK_PENDING, DEFAULT_MAX_ACK_PENDING);
    this.leaseMs = o.leaseMs ?? 10_000;
    this.heartbeatMs = o.heartbeatMs ?? Math.max(200, Math.floor(this.leaseMs / 4));
    this.pruneEveryMs = o.pruneEveryMs ?? 60_000;
    this.slots = new Slots(o.concurrentBatches ?? 2);
    this.seenRetentionMs = o.seenRetentionMs ?? 2 * 3600_000;
    this.scoringMode = {
      threaded: !!o.scoringStore && scoringThreadAvailable(),
      threadDeaths: 0,
      rowsLoaded: 0,
      quietRounds: 0,
    };
    this.scoringStates = new ScoringStates(o.config);
  }

  /** Durations observed since the last call (the metrics endpoint folds them into histograms). */
  takeTimings(): WorkerTimings {
    const t = this.timings;
    this.timings = { batchSeconds: [], scoringSeconds: [], lastScoredAt: t.lastScoredAt };
    return t;
  }

  private observe(kind: 'batchSeconds' | 'scoringSeconds', seconds: number): void {
    const list = this.timings[kind];
    if (list.length < 100_000) list.push(seconds);
  }

  /**
   * Ready when running, holding at least one lease, consuming on at least one, and no held
   * partition retrying after an error (database or NATS away). A partition whose batch waits
   * for its turn behind others is consuming: a backlog is lag, not ill health.
   */
  health(): { ready: boolean; reason: string; partitions: number[] } {
    const partitions = this.partitions;
    if (!this.running) return { ready: false, reason: 'stopped', partitions };
    const active = [...this.owned.values()].filter((o) => o.stop === null);
    if (active.length === 0) return { ready: false, reason: 'holds no partition lease', partitions };
    const failing = active.filter((o) => o.phase === 'failing').map((o) => o.lease.partition);
    if (failing.length > 0)
      return {
        ready: false,
        reason: `partitions ${failing.join(', ')} are retrying after errors`,
        partitions,
      };
    if (!active.some((o) => o.phase === 'consuming'))
      return { ready: false, reason: 'no partition is consuming yet', partitions };
    return { ready: true, reason: 'consuming', partitions };
  }

  /**
   * Messages waiting per held partition: not yet delivered (num_pending) plus delivered and not
   * acknowledged (num_ack_pending), from the partition's consumer.
   */
  async lag(): Promise<Map<number, number>> {
    const t = this.o.topology;
    const jsm = await this.o.nc.jetstreamManager();
    const out = new Map<number, number>();
    await Promise.all(
      this.partitions.map(async (p) => {
        const info = await jsm.consumers.info(t.stream, consumerOf(t, p)).catch(() => null);
        if (info) out.set(p, info.num_pending + info.num_ack_pending);
      }),
    );
    return out;
  }

  /** Partitions this worker holds now. */
  get partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await bindScaleTopology(this.o.db, this.o.topology);
    await ensurePartitionRows(this.o.db, this.o.topology.partitions);
    if (this.o.seenRetentionMs === undefined && this.pruneEveryMs > 0) {
      // Re-publications inside the stream's duplicate window are dropped by JetStream itself.
      const info = await (await this.o.nc.jetstreamManager()).streams.info(this.o.topology.stream);
      this.seenRetentionMs = Math.ceil((info.config.duplicate_window ?? 0) / 1e6);
    }
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.coordinate();
    if (this.o.scoreEveryMs) {
      // Started now, not at the first round: its modules load while the partitions are claimed.
      if (this.scoringMode.threaded) this.scoringThread().warm();
      this.scoring = this.scoreLoop(this.o.scoreEveryMs);
    }
  }

  /** Graceful: finishes in-flight batches (committed and acknowledged), then frees the leases. */
  async stop(): Promise<void> {
    this.running = false;
    for (const o of this.owned.values()) o.stop ??= 'release';
    this.stopping.abort();
    // A round running in the thread is cut short (it rolls back) rather than waited out.
    await this.scorer?.close();
    this.scorer = null;
    await this.loop;
    await this.scoring;
    await Promise.all([...this.owned.values()].map((o) => o.done));
    await removeWorker(this.o.db, this.holder).catch(() => undefined);
  }

  private async coordinate(): Promise<void> {
    while (this.running) {
      try {
        await this.rebalance();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'lease heartbeat failed; retrying');
      }
      await sleep(this.heartbeatMs, this.stopping.signal);
    }
  }

  private async rebalance(): Promise<void> {
    const db = this.o.db;
    const now = Date.now();
    const workers = Math.max(1, await heartbeatWorker(db, this.holder, now, this.leaseMs));
    const held = await renewLeases(db, this.holder, now, this.leaseMs);
    const heldIds = new Set(held.map((l) => l.partition));
    for (const [p, o] of this.owned)
      if (heldIds.has(p)) o.leaseUntil = Math.max(o.leaseUntil, now + this.leaseMs);
    for (const [p, o] of this.owned)
      if (!heldIds.has(p) && o.stop !== 'release') {
        o.stop = 'lost';
        this.log.warn({ partition: p }, 'lease lost');
      }
    const share = Math.ceil(this.o.topology.partitions / workers);
    const active = [...this.owned.values()].filter((o) => o.stop === null);
    if (active.length > share) {
      // Give back the surplus: highest partitions first, so workers converge on a stable split.
      for (const o of active
        .sort((a, b) => b.lease.partition - a.lease.partition)
        .slice(0, active.length - share))
        o.stop = 'release';
    } else if (active.length < share && this.running) {
      for (const lease of await claimPartitions(db, this.holder, share - active.length, now, this.leaseMs))
        this.adopt(lease, now);
    }
    await this.warnUnowned(now);
  }

  /**
   * Warns when partitions stay without a live lease for more than two leases: their messages wait
   * in the stream and nothing else would say so (workers all at their share, or all stopped).
   */
  private async warnUnowned(now: number): Promise<void> {
    const free = new Set(await claimablePartitions(this.o.db, now, this.leaseMs));
    for (const p of [...this.unownedSince.keys()]) if (!free.has(p)) this.unownedSince.delete(p);
    for (const p of free) if (!this.unownedSince.has(p)) this.unownedSince.set(p, now);
    const stale = [...this.unownedSince]
      .filter(([, since]) => now - since > 2 * this.leaseMs)
      .map(([p]) => p);
    if (stale.length > 0)
      this.log.warn(
        { partitions: stale, unownedForMs: now - Math.min(...stale.map((p) => this.unownedSince.get(p)!)) },
        'partitions have no live lease: nobody consumes them',
      );
  }

  private adopt(lease: PartitionLease, now: number): void {
    const o: Owned = {
      lease,
      stop: null,
      done: Promise.resolve(),
      lastSeq: lease.appliedSeq,
      leaseUntil: now + this.leaseMs,
      pruneAt: now + this.pruneEveryMs,
      ackWaitMs: 30_000,
      fetchAtLeast: 0,
      phase: 'starting',
    };
    o.done = this.runPartition(o)
      .catch((err: unknown) =>
        this.log.error({ err: (err as Error).message, partition: lease.partition }, 'partition failed'),
      )
      .finally(async () => {
        this.owned.delete(lease.partition);
        if (o.stop === 'release')
          await releasePartition(this.o.db, this.holder, lease.partition).catch(() => undefined);
      });
    this.owned.set(lease.partition, o);
    this.log.info({ partition: lease.partition, fence: lease.fence }, 'partition leased');
  }

  private async restore(partition: number): Promise<DetectionEngine> {
    // Every partition's engine uses the first one's feature caches (see DetectionEngine).
    this.featureCaches ??= new DetectionEngine(this.o.config);
    const engine = new DetectionEngine(this.o.config, undefined, this.featureCaches);
    for (const row of await loadPartitionStates(this.o.db, partition)) restoreStoredAccount(engine, row);
    return engine;
  }

  private async runPartition(o: Owned): Promise<void> {
    const { partition } = o.lease;
    const t = this.o.topology;
    let engine: DetectionEngine | null = null;
    let consumer: Consumer | null = null;
    let puller: PartitionPuller | null = null;
    const drop = () => {
      puller?.close();
      puller = null;
      consumer = null;
    };
    let backoff = 100;
    try {
      while (o.stop === null) {
        try {
          engine ??= await this.restore(partition);
          if (!consumer || !puller) {
            consumer = await this.o.nc.jetstream().consumers.get(t.stream, consumerOf(t, partition));
            await this.awaitOrphans(consumer, o);
            if (o.stop !== null) break;
            puller = this.puller(o);
          }
          if (!(await this.leaseForBatch(o))) {
            if (o.stop !== null) break;
            await sleep(50, this.stopping.signal);
            continue;
          }
          if (this.pruneEveryMs > 0 && Date.now() >= o.pruneAt) await this.prune(o, consumer);
          const msgs = await puller.fetch(
            Math.max(this.batchSize, o.fetchAtLeast),
            // A message's ack wait runs while its pull gathers: keep the pull well inside it.
            Math.min(this.o.fetchWaitMs ?? 1000, o.ackWaitMs / 4),
            this.o.fetchIdleMs ?? 100,
          );
          backoff = 100;
          o.phase = 'consuming';
          if (msgs.length === 0) continue;
          if (await this.outstandingElsewhere(o, consumer, puller, msgs)) {
            // Held back, not acknowledged: after the ack wait every outstanding message comes back
            // and the next fetch takes them all, to be applied in stream order.
            drop();
            continue;
          }
          // Only copies of acknowledged messages came.
          if (msgs.length === 0) {
            puller.settled();
            continue;
          }
          engine = await this.commitWithRetry(o, engine, msgs);
          if (!engine) return;
          await this.confirmAcks(o, msgs);
          puller.settled();
        } catch (err) {
          if (o.stop !== null) break;
          this.stats.retries++;
          o.phase = 'failing';
          this.log.warn({ err: (err as Error).message, partition }, 'partition loop error; retrying');
          engine = null;
          drop();
          await sleep(backoff, this.stopping.signal);
          backoff = Math.min(5000, backoff * 2);
        }
      }
      if (o.stop === 'release' && engine && consumer && puller) await this.drain(o, engine, consumer, puller);
    } finally {
      drop();
    }
  }

  /**
   * A puller of the partition's consumer that keeps what it holds in progress (see
   * InProgressPolicy) while this worker holds the lease and has not lost the partition, and for at
   * most IN_PROGRESS_ACK_WAITS ack waits per message.
   */
  private puller(o: Owned): PartitionPuller {
    const t = this.o.topology;
    return new PartitionPuller(this.o.nc, t.stream, consumerOf(t, o.lease.partition), undefined, {
      ackWaitMs: o.ackWaitMs,
      maxHoldMs: IN_PROGRESS_ACK_WAITS * o.ackWaitMs,
      holding: () => o.stop !== 'lost' && Date.now() < o.leaseUntil,
      onMarked: (n) => (this.stats.extended += n),
    });
  }

  /**
   * A partition given up (rebalance, graceful stop) may have handed out its last batch while the
   * pull request was still open (see `fetch`): what that request still delivers is applied and
   * acknowledged here, so the next owner need not wait out its ack wait.
   */
  private async drain(o: Owned, engine: DetectionEngine, consumer: Consumer, puller: PartitionPuller) {
    try {
      const rest = await puller.drain();
      if (rest.length === 0 || (await this.outstandingElsewhere(o, consumer, puller, rest))) return;
      // Only copies of acknowledged messages came.
      if (rest.length === 0) return;
      if (await this.commitWithRetry(o, engine, rest)) await this.confirmAcks(o, rest);
    } catch (err) {
      // Not applied: redelivered to the next owner after the ack wait, and skipped by id if applied.
      this.log.warn({ err: (err as Error).message, partition: o.lease.partition }, 'draining failed');
    }
  }

  /**
   * Whether messages of this partition are delivered but neither in this batch nor acknowledged.
   * Every message below the batch's highest sequence was delivered at least once (new messages go
   * out in stream order), so if the consumer's unacknowledged messages are exactly this batch, with
   * what the puller received since, everything before it is applied and the batch, sorted,
   * continues the stream in order. The comparison is made as of the consumer's info: deliveries
   * up to its delivery sequence that are still in transit are waited for, and those received are
   * joined to the batch; later deliveries (the pull request may still be open: see `fetch`) are
   * left for the next batch, so they cannot make the counts disagree. Anything else unacknowledged
   * is elsewhere: a previous owner's batch, deliveries lost in a reconnect, or a stray pull on the
   * consumer. Applying now would put them out of order, so the batch is held back. Sorts `msgs` by
   * stream sequence (the publish order), may add to it, and removes copies of messages already
   * acknowledged (it may leave it empty).
   */
  private async outstandingElsewhere(
    o: Owned,
    consumer: Consumer,
    puller: PartitionPuller,
    msgs: JsMsg[],
  ): Promise<boolean> {
    const info = await consumer.info();
    const upTo = info.delivered.consumer_seq;
    // In transit normally means milliseconds, but seconds when this event loop is busy applying
    // other partitions' batches; only deliveries lost in a reconnect never come.
    const settled = upTo <= puller.lastDelivery || (await puller.settle(upTo, SETTLE_MS));
    msgs.push(...puller.takeUpTo(upTo));
    const pending = info.num_ack_pending;
    const { copies, distinct, outstanding } = checkBatch(msgs, {
      ackPending: pending,
      ackFloorSeq: info.ack_floor.stream_seq,
    });
    this.stats.copies += copies;
    if (outstanding === 0 || msgs.length === 0) return false;
    this.stats.gaps++;
    // Ask for all of them next time, so a batch smaller than the backlog can still take it whole.
    o.fetchAtLeast = pending;
    this.logHeldBack(o, info, puller, msgs, { outstanding, distinct, settled });
    return true;
  }

  /**
   * The facts of a held-back batch, so its cause can be told from the log alone: the consumer's
   * state (its delivery sequence, ack floor and unacknowledged count), the batch's stream and
   * delivery sequences, and which deliveries above the ack floor are not in it (outstanding
   * elsewhere, or acknowledged individually).
   */
  private logHeldBack(
    o: Owned,
    info: ConsumerInfo,
    puller: PartitionPuller,
    msgs: JsMsg[],
    counts: { outstanding: number; distinct: number; settled: boolean },
  ): void {
    const dseqs = msgs.map((m) => m.info.deliverySequence).sort((a, b) => a - b);
    const inBatch = new Set(dseqs);
    const notInBatch: number[] = [];
    for (let d = info.ack_floor.consumer_seq + 1; d <= info.delivered.consumer_seq; d++) {
      if (notInBatch.length === 50) break;
      if (!inBatch.has(d)) notInBatch.push(d);
    }
    this.log.warn(
      {
        partition: o.lease.partition,
        ...counts,
        reason:
          counts.outstanding > 0
            ? 'unacknowledged deliveries outside the batch (a previous owner, a reconnect, a stray pull)'
            : 'the batch holds messages acknowledged above the ack floor',
        consumer: {
          delivered: info.delivered,
          ackFloor: info.ack_floor,
          ackPending: info.num_ack_pending,
          numPending: info.num_pending,
          waiting: info.num_waiting,
          redelivered: info.num_redelivered,
        },
        batch: {
          streamSeqs: [msgs[0]!.seq, msgs[msgs.length - 1]!.seq],
          deliverySeqs: [dseqs[0], dseqs[dseqs.length - 1]],
          redelivered: msgs.filter((m) => m.redelivered).length,
          deliveriesNotInBatch: notInBatch,
        },
        puller: { lastDelivery: puller.lastDelivery, buffered: puller.buffered, ...puller.trace },
        lastCommittedSeq: o.lastSeq,
      },
      'messages outstanding outside this batch; holding it back one ack wait so order is kept',
    );
  }

  /**
   * Acknowledges a committed batch and waits until the server has processed the acknowledgements
   * (they are handled in order, so the last one's confirmation covers all). The server takes
   * acknowledgements and pull requests on separate paths: without the wait, the next fetch can be
   * served first, and messages whose ack wait ran out during a slow commit come back as duplicates
   * (and spoil the next batch's outstanding count).
   */
  private async confirmAcks(o: Owned, msgs: JsMsg[]): Promise<void> {
    const last = msgs[msgs.length - 1]!;
    for (const m of msgs) if (m !== last) m.ack();
    try {
      await last.ackAck({ timeout: Math.max(5000, o.ackWaitMs) });
    } catch (err) {
      // Not fatal: an acknowledgement lost (say in a reconnect) only brings messages back, and
      // they are skipped by id; the next batch's outstanding count notices them.
      this.log.warn({ err: (err as Error).message, partition: o.lease.partition }, 'ack not confirmed');
    }
  }

  /**
   * Whether a batch may be fetched now. A batch can take seconds on a CPU-starved machine, and a
   * batch fetched under a lease that then runs out cannot commit: the next owner gets it only
   * after the ack wait, behind newer messages it already took (out of order, and redelivered).
   * So with less than half a lease left the worker renews this lease first (one UPDATE, checked
   * against owner and fence) rather than waiting for its heartbeat, which shares the event loop
   * with the batches. Returns false when the lease cannot be made fresh now (lost: stop is set).
   */
  private async leaseForBatch(o: Owned): Promise<boolean> {
    const now = Date.now();
    if (o.leaseUntil - now >= this.leaseMs / 2) return true;
    const until = await renewPartitionLease(this.o.db, this.holder, o.lease, now, this.leaseMs);
    if (until === null) {
      o.stop = 'lost';
      this.log.warn({ partition: o.lease.partition }, 'lease lost');
      return false;
    }
    this.stats.renewals++;
    o.leaseUntil = Math.max(o.leaseUntil, until);
    return true;
  }

  /**
   * Deletes seen event ids this partition's consumer can never deliver again: at or below its
   * acknowledgement floor (acknowledged messages are not redelivered), and applied longer ago
   * than the retention. Runs in the partition's own loop between batches, so no batch of this
   * partition is in flight here, and a previous owner's in-flight batch cannot commit (fence):
   * every id a future batch could carry is still there.
   */
  private async prune(o: Owned, consumer: Consumer): Promise<void> {
    o.pruneAt = Date.now() + this.pruneEveryMs;
    try {
      const floor = (await consumer.info()).ack_floor.stream_seq;
      const n = await pruneSeenEvents(this.o.db, o.lease.partition, floor, Date.now() - this.seenRetentionMs);
      this.stats.pruned += n;
      if (n > 0)
        this.log.debug({ partition: o.lease.partition, pruned: n, ackFloor: floor }, 'seen ids pruned');
    } catch (err) {
      // Pruning is housekeeping: the next round retries; batches go on meanwhile.
      this.log.warn({ err: (err as Error).message, partition: o.lease.partition }, 'pruning failed');
    }
  }

  /**
   * Messages delivered but never acknowledged (a dead previous owner's batch, or a fetch lost in
   * a disconnect) come back only after the ack wait, and a fetch before that would get newer
   * messages first. Waiting it out keeps each partition in stream order, so per-account
   * statistics that depend on order (gaps, bursts) come out as in batch.
   */
  private async awaitOrphans(consumer: Consumer, o: Owned): Promise<void> {
    const partition = o.lease.partition;
    const info = await consumer.info();
    o.ackWaitMs = Math.ceil((info.config.ack_wait ?? 30e9) / 1e6);
    if (info.num_ack_pending === 0) return;
    o.fetchAtLeast = Math.max(o.fetchAtLeast, info.num_ack_pending);
    const waitMs = o.ackWaitMs + 250;
    o.phase = 'orphans';
    this.log.info(
      { partition, pending: info.num_ack_pending, waitMs },
      'waiting for unacknowledged messages to return',
    );
    await sleep(waitMs, this.stopping.signal);
  }

  /**
   * Applies and commits one batch, retrying while PostgreSQL is away (never acknowledged; the
   * puller keeps the messages in progress while the lease holds). Returns the engine to continue
   * with, or null when the lease was lost (the messages are then redelivered to the new owner).
   */
  private async commitWithRetry(
    o: Owned,
    engine0: DetectionEngine,
    msgs: JsMsg[],
  ): Promise<DetectionEngine | null> {
    const { partition } = o.lease;
    // Scan results are per batch; batches of other partitions may be decoded meanwhile.
    const scanned = new ScannedEvents();
    const { decoded, quarantined } = this.decode(partition, msgs, scanned);
    let engine: DetectionEngine | null = engine0;
    let backoff = 100;
    for (;;) {
      if (o.stop === 'lost') return null;
      let touched = false;
      let reordered = 0;
      const release = await this.slots.acquire();
      try {
        engine ??= await this.restore(partition);
        const e = engine;
        const began = performance.now();
        const result = await commitPartitionBatch(this.o.db, {
          holder: this.holder,
          lease: o.lease,
          stream: this.o.topology.stream,
          events: decoded.flatMap(({ msg: d, seq }) =>
            d.kind === 'event' ? [{ id: d.event.id, seq }] : d.kind === 'scanned' ? [{ id: d.id, seq }] : [],
          ),
          quarantined,
          maxSeq: msgs.reduce((m, x) => Math.max(m, x.seq), 0),
          leaseMs: this.leaseMs,
          apply: (fresh) => {
            touched = true;
            const applied = applyFreshMessages(e, decoded, fresh, scanned, o.lastSeq);
            reordered = applied.reordered;
            return applied.states;
          },
        });
        this.observe('batchSeconds', (performance.now() - began) / 1000);
        this.recordCommit(o, result, reordered, msgs);
        return e;
      } catch (err) {
        // The engine may hold changes that did not commit: rebuild it from what is durable.
        if (touched) engine = null;
        if (err instanceof LeaseLostError) {
          o.stop = 'lost';
          this.log.warn({ partition }, 'lease lost before commit; leaving the batch to the new owner');
          return null;
        }
        this.stats.retries++;
        o.phase = 'failing';
        this.log.warn(
          { err: (err as Error).message, partition },
          'commit failed; retrying (not acknowledged)',
        );
        // Stopping: give up the batch (not acknowledged, so it is redelivered to the next owner)
        // rather than retry until the process is killed.
        if (!this.running && o.stop !== null) return null;
        release();
        await sleep(backoff, this.stopping.signal);
        backoff = Math.min(5000, backoff * 2);
      } finally {
        release();
      }
    }
  }

  /** Counts a committed batch and moves the partition's stream position past it. */
  private recordCommit(
    o: Owned,
    result: { applied: number; duplicates: number; quarantined: number; leaseUntil: number | null },
    reordered: number,
    msgs: JsMsg[],
  ): void {
    const { partition } = o.lease;
    const counts = this.partitionCounts.get(partition) ?? { applied: 0, duplicates: 0, rejected: 0 };
    counts.applied += result.applied;
    counts.duplicates += result.duplicates;
    counts.rejected += result.quarantined;
    this.partitionCounts.set(partition, counts);
    this.stats.applied += result.applied;
    this.stats.duplicates += result.duplicates;
    this.stats.commits++;
    this.stats.reordered += reordered;
    this.stats.quarantined += result.quarantined;
    if (result.leaseUntil !== null) o.leaseUntil = Math.max(o.leaseUntil, result.leaseUntil);
    if (reordered > 0) this.log.warn({ partition, reordered }, 'events applied out of stream order');
    o.lastSeq = Math.max(o.lastSeq, msgs[msgs.length - 1]!.seq);
    o.fetchAtLeast = 0;
    o.phase = 'consuming';
  }

  /** Valid messages of this partition, and the rest as quarantine rows (stored with the batch). */
  private decode(
    partition: number,
    msgs: JsMsg[],
    scanned: ScannedEvents,
  ): { decoded: { msg: AppliedMessage; seq: number }[]; quarantined: QuarantinedMessage[] } {
    scanned.reset(msgs.length);
    const decoded: { msg: AppliedMessage; seq: number }[] = [];
    const quarantined: QuarantinedMessage[] = [];
    for (const m of msgs) {
      const d = decodeMessage(
        m.data,
        {
          seq: m.seq,
          subject: m.subject,
          partition,
          partitions: this.o.topology.partitions,
        },
        scanned,
      );
      if (d.ok) decoded.push({ msg: d.msg, seq: m.seq });
      else {
        quarantined.push(d.rejected);
        if (d.forwarded) continue;
        this.stats.invalid++;
        this.log.warn({ partition, seq: m.seq, reason: d.rejected.reason }, 'message quarantined');
      }
    }
    return { decoded, quarantined };
  }

  private async scoreLoop(everyMs: number): Promise<void> {
    let lastMs = 0;
    while (this.running) {
      const trigger = await this.untilRoundDue(everyMs, lastMs);
      if (!this.running) break;
      const began = performance.now();
      try {
        const round = await this.scoreRound();
        if (round) {
          this.scoringMode.rowsLoaded += round.rowsLoaded;
          if (trigger === 'quiet') this.scoringMode.quietRounds++;
          this.observe('scoringSeconds', (performance.now() - began) / 1000);
          this.timings.lastScoredAt = Date.now();
          this.log.info({ accounts: round.accounts, clusters: round.clusters, trigger }, 'findings scored');
          if (round.findings) this.o.onScored?.(round.findings);
        }
      } catch (err) {
        if (!this.running) break;
        this.log.warn({ err: (err as Error).message }, 'scoring failed; retrying at the next interval');
      } finally {
        lastMs = performance.now() - began;
      }
    }
  }

  /**
   * Waits for the next round: `everyMs` from now, or sooner (`quiet`) once what scoring would see
   * changed since the last round and then stayed the same for `scoreWhenQuietMs` — the end of a
   * burst, over every worker's partitions, as the database counts commits. `lastMs` is the last
   * round's duration, which spaces quiet rounds out (QUIET_ROUND_SPACING).
   */
  private async untilRoundDue(everyMs: number, lastMs: number): Promise<'interval' | 'quiet'> {
    const quietMs = this.o.scoreWhenQuietMs ?? 0;
    const start = Date.now();
    const due = start + everyMs;
    if (quietMs <= 0) {
      await sleep(everyMs, this.stopping.signal);
      return 'interval';
    }
    const earliest = start + QUIET_ROUND_SPACING * lastMs;
    const pollMs = Math.min(250, Math.max(25, Math.floor(quietMs / 4)));
    let seen = Number.NaN;
    let seenSince = start;
    for (;;) {
      const left = due - Date.now();
      if (left <= 0 || !this.running) return 'interval';
      await sleep(Math.min(pollMs, left), this.stopping.signal);
      if (!this.running) return 'interval';
      let backlog: { version: number; scored: number };
      try {
        backlog = await scoringBacklog(this.o.db);
      } catch {
        continue; // the database is unreachable: the interval's round reports it
      }
      const now = Date.now();
      if (backlog.version !== seen) {
        seen = backlog.version;
        seenSince = now;
      } else if (backlog.version !== backlog.scored && now - seenSince >= quietMs && now >= earliest) {
        return 'quiet';
      }
    }
  }

  /** The scoring thread, started when there is none (at start, and again after a death). */
  private scoringThread(): ScoringThread {
    return (this.scorer ??= new ScoringThread({
      store: this.o.scoringStore!,
      config: this.o.config,
      withFindings: this.o.onScored !== undefined,
    }));
  }

  /**
   * One round, in the scoring thread when there is one. A thread that dies is logged and counted,
   * and the round is run again at once: in a new thread, or in process once threads died
   * THREAD_DEATHS_BEFORE_IN_PROCESS times in a row, so scoring never silently stops.
   */
  private async scoreRound(): Promise<ScoredRound | null> {
    while (this.scoringMode.threaded && this.running) {
      try {
        const round = await this.scoringThread().score();
        this.deathsInARow = 0;
        return round;
      } catch (err) {
        if (!(err instanceof ScoringThreadDied) || !this.running) throw err;
        this.scorer = null;
        this.scoringMode.threadDeaths++;
        this.deathsInARow++;
        const inProcess = this.deathsInARow >= THREAD_DEATHS_BEFORE_IN_PROCESS;
        if (inProcess) this.scoringMode.threaded = false;
        this.log.error(
          { err: err.message, deaths: this.scoringMode.threadDeaths },
          inProcess
            ? 'scoring thread died again; scoring in process from now on'
            : 'scoring thread died; restarting it',
        );
      }
    }
    if (!this.running) return null;
    const states = this.scoringStates;
    const detail = await scoreScaleDetail(this.o.db, { config: this.o.config, states });
    if (!detail) return null;
    const findings = detail.findings;
    return {
      accounts: findings.accounts.length,
      clusters: findings.clusters.length,
      rowsLoaded: states.lastRowsLoaded,
      findings,
    };
  }
}

/**
 * Applies a batch's messages whose ids were never applied before (`fresh`) to the engine, in
 * stream order; accounts always apply. Returns the changed accounts' states and how many events
 * came before the partition's last applied sequence.
 */
function applyFreshMessages(
  e: DetectionEngine,
  decoded: { msg: AppliedMessage; seq: number }[],
  fresh: ReadonlySet<string>,
  scanned: ScannedEvents,
  lastSeq: number,
): { states: ({ account_id: string } & StoredAccountState)[]; reordered: number } {
  const changed = new Set<string>();
  const pending = new Set(fresh);
  let reordered = 0;
  for (const { msg: d, seq } of decoded) {
    if (d.kind === 'account') {
      e.addAccount(d.record);
      changed.add(d.record.account_id);
    } else if (d.kind === 'scanned') {
      if (!pending.delete(d.id)) continue;
      if (seq < lastSeq) reordered++;
      e.addLine(scanned.line(d));
      changed.add(d.accountId);
    } else if (pending.delete(d.event.id)) {
      if (seq < lastSeq) reordered++;
      e.addEvent(d.event);
      changed.add(d.event.account_id);
    }
  }
  return { states: [...changed].flatMap((id) => encodeAccountState(e, id) ?? []), reordered };
}
