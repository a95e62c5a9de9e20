import { Exposition, Histogram, processFamilies } from '../metrics-exposition.js';
import { serveMetrics, type MetricsServer } from '../metrics-listener.js';
import type { ScaleWorker } from './worker.js';

/** Seconds: a batch commit is milliseconds to seconds, a scoring round seconds to minutes. */
const BATCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SCORING_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The `/metrics` of one worker, with its histograms (kept across scrapes). */
export class WorkerMetrics {
  private readonly batch = new Histogram(BATCH_BUCKETS);
  private readonly scoring = new Histogram(SCORING_BUCKETS);
  private lastScoredAt = 0;

  constructor(private readonly worker: ScaleWorker) {}

  async render(): Promise<string> {
    const w = this.worker;
    const t = w.takeTimings();
    for (const s of t.batchSeconds) this.batch.observe(s);
    for (const s of t.scoringSeconds) this.scoring.observe(s);
    this.lastScoredAt = Math.max(this.lastScoredAt, t.lastScoredAt);
    const lag = await w.lag().catch(() => new Map<number, number>());
    const id = { worker: w.id };
    const x = new Exposition();
    partitionFamilies(x, w, lag, id);
    leaseFamilies(x, w, id);
    this.timingFamilies(x, id);
    scoringModeFamilies(x, w, id);
    loopStatFamilies(x, w, id);
    processFamilies(x);
    return x.text();
  }

  /** Batch-apply and scoring-round histograms, and when findings were last written. */
  private timingFamilies(x: Exposition, id: WorkerLabel): void {
    x.family(
      'distillguard_worker_batch_apply_seconds',
      'histogram',
      'Time to apply one fetched batch and commit it (one transaction).',
      this.batch.lines('distillguard_worker_batch_apply_seconds', id),
    );
    x.family(
      'distillguard_worker_scoring_seconds',
      'histogram',
      'Duration of the scoring rounds this worker ran (count: rounds that wrote findings).',
      this.scoring.lines('distillguard_worker_scoring_seconds', id),
    );
    x.one(
      'distillguard_worker_last_scoring_timestamp_seconds',
      'gauge',
      'When this worker last wrote findings (Unix seconds; 0 never).',
      Math.floor(this.lastScoredAt / 1000),
      id,
    );
  }
}

type WorkerLabel = { worker: string };

/** Per-partition event counters and consumer lag. */
function partitionFamilies(x: Exposition, w: ScaleWorker, lag: Map<number, number>, id: WorkerLabel): void {
  const perPartition = (pick: (c: { applied: number; duplicates: number; rejected: number }) => number) =>
    [...w.partitionCounts]
      .sort(([a], [b]) => a - b)
      .map(([p, c]) => [{ ...id, partition: p }, pick(c)] as const);
  x.samples(
    'distillguard_worker_events_applied_total',
    'counter',
    'Events this worker applied and committed, per partition (first delivery of each event id).',
    perPartition((c) => c.applied),
  );
  x.samples(
    'distillguard_worker_events_duplicate_total',
    'counter',
    'Messages skipped because their event id was already applied, per partition.',
    perPartition((c) => c.duplicates),
  );
  x.samples(
    'distillguard_worker_events_rejected_total',
    'counter',
    'Messages quarantined (invalid, or lines a publisher rejected), per partition.',
    perPartition((c) => c.rejected),
  );
  x.samples(
    'distillguard_worker_consumer_lag_messages',
    'gauge',
    'Messages of a held partition not yet applied: waiting in the stream plus delivered and unacknowledged.',
    [...lag].sort(([a], [b]) => a - b).map(([p, n]) => [{ ...id, partition: p }, n] as const),
  );
}

/** Held partition leases and readiness (as /healthz). */
function leaseFamilies(x: Exposition, w: ScaleWorker, id: WorkerLabel): void {
  x.samples(
    'distillguard_worker_partition_leased',
    'gauge',
    'Partitions this worker holds a lease on (1 per held partition).',
    w.partitions.map((p) => [{ ...id, partition: p }, 1] as const),
  );
  x.one(
    'distillguard_worker_leases',
    'gauge',
    'Partition leases this worker holds.',
    w.partitions.length,
    id,
  );
  x.one(
    'distillguard_worker_ready',
    'gauge',
    '1 when the worker holds leases and every held partition is consuming (as /healthz).',
    w.health().ready ? 1 : 0,
    id,
  );
}

/** Whether scoring runs in a worker thread, and how often that thread died. */
function scoringModeFamilies(x: Exposition, w: ScaleWorker, id: WorkerLabel): void {
  x.one(
    'distillguard_worker_scoring_threaded',
    'gauge',
    '1 when scoring rounds run in a worker thread, 0 when on the event loop that applies batches.',
    w.scoringMode.threaded ? 1 : 0,
    id,
  );
  x.one(
    'distillguard_worker_scoring_thread_deaths_total',
    'counter',
    'Times the scoring thread died (restarted; after repeated deaths scoring runs in process).',
    w.scoringMode.threadDeaths,
    id,
  );
  x.one(
    'distillguard_worker_scoring_rows_loaded_total',
    'counter',
    'Account state rows the scoring rounds read from PostgreSQL (each round reads only the rows changed since the last).',
    w.scoringMode.rowsLoaded,
    id,
  );
  x.one(
    'distillguard_worker_scoring_quiet_rounds_total',
    'counter',
    'Scoring rounds run early because commits went quiet (--score-when-quiet), not at the --score-every interval.',
    w.scoringMode.quietRounds,
    id,
  );
}

/** Partition-loop counters: held-back batches, redelivered copies, reordered events, retries, in-progress marks. */
function loopStatFamilies(x: Exposition, w: ScaleWorker, id: WorkerLabel): void {
  const s = w.stats;
  for (const [key, help] of [
    ['gaps', 'Batches held back one ack wait because deliveries outside them were outstanding.'],
    [
      'copies',
      'Redelivered copies dropped from batches (already acknowledged, or twice in one batch): ack waits that ran out.',
    ],
    ['reordered', 'Fresh events applied after a newer event of their partition.'],
    ['retries', 'Partition loop and commit retries (database or NATS errors).'],
  ] as const)
    x.one(`distillguard_worker_${key}_total`, 'counter', help, s[key], id);
  x.one(
    'distillguard_worker_in_progress_marks_total',
    'counter',
    'Messages marked in progress (ack wait restarted): held a quarter of an ack wait or longer before their acknowledgement.',
    s.extended,
    id,
  );
}

/** Serves `/metrics` (Prometheus text) and `/healthz` (200 ready, 503 not) for one worker. */
export async function serveWorkerMetrics(
  worker: ScaleWorker,
  port: number,
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const metrics = new WorkerMetrics(worker);
  return serveMetrics(
    {
      metrics: () => metrics.render(),
      health: () => {
        const h = worker.health();
        return { ready: h.ready, body: { worker: worker.id, ...h } };
      },
    },
    port,
    host,
  );
}
