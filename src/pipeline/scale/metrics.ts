import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScaleWorker } from './worker.js';

// Hand-written Prometheus text exposition (format 0.0.4): prom-client is not a dependency of
// this project, and a worker's few counters, gauges and two histograms need nothing more.

/** Seconds: a batch commit is milliseconds to seconds, a scoring round seconds to minutes. */
const BATCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SCORING_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** A cumulative Prometheus histogram. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }

  /** The series, each with `labels` (`k="v",…`) before `le`. */
  lines(name: string, labels: string): string[] {
    return [
      ...this.buckets.map((b, i) => `${name}_bucket{${labels},le="${b}"} ${this.counts[i]}`),
      `${name}_bucket{${labels},le="+Inf"} ${this.count}`,
      `${name}_sum{${labels}} ${this.sum}`,
      `${name}_count{${labels}} ${this.count}`,
    ];
  }
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

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
    const health = w.health();
    const id = `worker="${escape(w.id)}"`;
    const out: string[] = [];
    const family = (name: string, type: string, help: string, lines: string[]) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    const perPartition = (pick: (c: { applied: number; duplicates: number; rejected: number }) => number) =>
      [...w.partitionCounts].sort(([a], [b]) => a - b).map(([p, c]) => `{${id},partition="${p}"} ${pick(c)}`);

    family(
      'distillguard_worker_events_applied_total',
      'counter',
      'Events this worker applied and committed, per partition (first delivery of each event id).',
      perPartition((c) => c.applied).map((l) => `distillguard_worker_events_applied_total${l}`),
    );
    family(
      'distillguard_worker_events_duplicate_total',
      'counter',
      'Messages skipped because their event id was already applied, per partition.',
      perPartition((c) => c.duplicates).map((l) => `distillguard_worker_events_duplicate_total${l}`),
    );
    family(
      'distillguard_worker_events_rejected_total',
      'counter',
      'Messages quarantined (invalid, or lines a publisher rejected), per partition.',
      perPartition((c) => c.rejected).map((l) => `distillguard_worker_events_rejected_total${l}`),
    );
    family(
      'distillguard_worker_consumer_lag_messages',
      'gauge',
      'Messages of a held partition not yet applied: waiting in the stream plus delivered and unacknowledged.',
      [...lag]
        .sort(([a], [b]) => a - b)
        .map(([p, n]) => `distillguard_worker_consumer_lag_messages{${id},partition="${p}"} ${n}`),
    );
    family(
      'distillguard_worker_partition_leased',
      'gauge',
      'Partitions this worker holds a lease on (1 per held partition).',
      w.partitions.map((p) => `distillguard_worker_partition_leased{${id},partition="${p}"} 1`),
    );
    family('distillguard_worker_leases', 'gauge', 'Partition leases this worker holds.', [
      `distillguard_worker_leases{${id}} ${w.partitions.length}`,
    ]);
    family(
      'distillguard_worker_ready',
      'gauge',
      '1 when the worker holds leases and every held partition is consuming (as /healthz).',
      [`distillguard_worker_ready{${id}} ${health.ready ? 1 : 0}`],
    );
    family(
      'distillguard_worker_batch_apply_seconds',
      'histogram',
      'Time to apply one fetched batch and commit it (one transaction).',
      this.batch.lines('distillguard_worker_batch_apply_seconds', id),
    );
    family(
      'distillguard_worker_scoring_seconds',
      'histogram',
      'Duration of the scoring rounds this worker ran (count: rounds that wrote findings).',
      this.scoring.lines('distillguard_worker_scoring_seconds', id),
    );
    family(
      'distillguard_worker_last_scoring_timestamp_seconds',
      'gauge',
      'When this worker last wrote findings (Unix seconds; 0 never).',
      [`distillguard_worker_last_scoring_timestamp_seconds{${id}} ${Math.floor(this.lastScoredAt / 1000)}`],
    );
    const s = w.stats;
    for (const [key, help] of [
      ['gaps', 'Batches held back one ack wait because deliveries outside them were outstanding.'],
      ['reordered', 'Fresh events applied after a newer event of their partition.'],
      ['retries', 'Partition loop and commit retries (database or NATS errors).'],
    ] as const)
      family(`distillguard_worker_${key}_total`, 'counter', help, [
        `distillguard_worker_${key}_total{${id}} ${s[key]}`,
      ]);
    return `${out.join('\n')}\n`;
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `/metrics` (Prometheus text) and `/healthz` (200 ready, 503 not) for one worker. */
export async function serveWorkerMetrics(
  worker: ScaleWorker,
  port: number,
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const metrics = new WorkerMetrics(worker);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/metrics') {
      metrics
        .render()
        .then((body) =>
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body),
        )
        .catch((err: unknown) => res.writeHead(500).end(`${(err as Error).message}\n`));
    } else if (path === '/healthz') {
      const h = worker.health();
      res
        .writeHead(h.ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ status: h.ready ? 'ok' : 'unavailable', worker: worker.id, ...h })}\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
