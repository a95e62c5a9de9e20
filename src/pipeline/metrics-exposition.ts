import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

// The one Prometheus text exposition writer (format 0.0.4) of `worker` and `serve`: prom-client
// is not a dependency of this project, and a few counters, gauges and histograms need no more.
// It lives in src/pipeline because both the scale-out worker (here) and the server (above) use it.

export type Labels = Readonly<Record<string, string | number>>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** `{k="v",…}`, or nothing without labels. */
export function labelText(labels: Labels = {}): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A cumulative Prometheus histogram; buckets in seconds (or whatever unit its name says). */
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

  /** The series of this histogram, each with `labels` before `le`. */
  lines(name: string, labels: Labels = {}): string[] {
    const withLe = (le: string) => labelText({ ...labels, le });
    const own = labelText(labels);
    return [
      ...this.buckets.map((b, i) => `${name}_bucket${withLe(String(b))} ${this.counts[i]}`),
      `${name}_bucket${withLe('+Inf')} ${this.count}`,
      `${name}_sum${own} ${this.sum}`,
      `${name}_count${own} ${this.count}`,
    ];
  }
}

/** Histograms of one metric, one per label set (e.g. per route), created on first use. */
export class HistogramVec {
  private readonly byKey = new Map<string, { labels: Labels; h: Histogram }>();
  constructor(private readonly buckets: readonly number[]) {}

  observe(labels: Labels, v: number): void {
    const key = labelText(labels);
    let e = this.byKey.get(key);
    if (!e) this.byKey.set(key, (e = { labels, h: new Histogram(this.buckets) }));
    e.h.observe(v);
  }

  lines(name: string): string[] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([, e]) => e.h.lines(name, e.labels));
  }
}

/** Counters of one metric, one per label set, created on first use. */
export class CounterVec {
  private readonly byKey = new Map<string, { labels: Labels; n: number }>();

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const e = this.byKey.get(key);
    if (e) e.n += by;
    else this.byKey.set(key, { labels, n: by });
  }

  get(labels: Labels = {}): number {
    return this.byKey.get(labelText(labels))?.n ?? 0;
  }

  samples(): [Labels, number][] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => [e.labels, e.n]);
  }
}

/** One scrape's text: metric families, each with # HELP and # TYPE before its samples. */
export class Exposition {
  private readonly out: string[] = [];

  /** A family from ready-made sample lines (histograms). */
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, lines: string[]): this {
    this.out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...lines);
    return this;
  }

  /** A counter or gauge family from `[labels, value]` samples. */
  samples(
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: readonly (readonly [Labels, number])[],
  ): this {
    return this.family(
      name,
      type,
      help,
      samples.map(([l, v]) => `${name}${labelText(l)} ${Number.isFinite(v) ? v : 'NaN'}`),
    );
  }

  /** A family of one sample. */
  one(name: string, type: 'counter' | 'gauge', help: string, value: number, labels: Labels = {}): this {
    return this.samples(name, type, help, [[labels, value]]);
  }

  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let loopDelay: IntervalHistogram | null = null;

/**
 * The process basics every DistillGuard process exposes (the names Prometheus' own client
 * libraries use, so stock dashboards work): CPU, memory, start time, event-loop delay.
 */
export function processFamilies(x: Exposition): void {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  x.one(
    'process_cpu_seconds_total',
    'counter',
    'User and system CPU time spent, in seconds.',
    (cpu.user + cpu.system) / 1e6,
  );
  x.one('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
  x.one(
    'process_start_time_seconds',
    'gauge',
    'Start time of the process since the Unix epoch, in seconds.',
    Math.round(Date.now() / 1000 - process.uptime()),
  );
  x.one('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.', mem.heapUsed);
  // Nanoseconds from the monitor; 0 until it has seen a full interval.
  x.one(
    'nodejs_eventloop_delay_p99_seconds',
    'gauge',
    'Event-loop delay, 99th percentile since the process started, in seconds (a busy loop answers late).',
    loopDelay.percentile(99) / 1e9,
  );
}
