import { existsSync, mkdirSync, promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { ApiEvent } from '../schema/index.js';
import { SinkRejectedBatch, type EventSink } from './sinks.js';

export interface RecorderOptions {
  sink: EventSink;
  /** Local NDJSON file that absorbs batches the sink could not take. */
  spoolPath: string;
  batchSize?: number;
  flushIntervalMs?: number;
  /** How often to try sending the spool again. */
  drainIntervalMs?: number;
  onError?: (err: Error, context: string) => void;
}

export interface RecorderStats {
  recorded: number;
  sent: number;
  spooled: number;
  drained: number;
  /** Events the sink refused for good, kept in `<spool>.rejected` for a person. */
  rejected: number;
  /** Events neither sent nor on disk yet (in memory, retried). */
  pending: number;
}

/**
 * Batches recorded exchanges to a sink. A batch the sink refuses goes to the spool file; the spool
 * is drained back into the sink once it accepts again. If even the spool cannot be written the
 * events stay in memory and are retried, so no event is dropped silently.
 */
export class EventRecorder {
  private buffer: ApiEvent[] = [];
  private lines: string[] = [];
  private readonly retry: ApiEvent[] = [];
  private readonly retryLines: string[] = [];
  private readonly flushTimer: NodeJS.Timeout;
  private readonly drainTimer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private draining = false;
  private readonly s = { recorded: 0, sent: 0, spooled: 0, drained: 0, rejected: 0 };
  private readonly batchSize: number;

  constructor(private readonly opts: RecorderOptions) {
    this.batchSize = opts.batchSize ?? 200;
    mkdirSync(dirname(opts.spoolPath), { recursive: true });
    this.flushTimer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 250);
    this.drainTimer = setInterval(() => void this.drain(), opts.drainIntervalMs ?? 5000);
    this.flushTimer.unref();
    this.drainTimer.unref();
  }

  record(event: ApiEvent): void {
    this.s.recorded++;
    this.buffer.push(event);
    this.lines.push(JSON.stringify(event));
    if (this.buffer.length >= this.batchSize) void this.flush();
  }

  get stats(): RecorderStats {
    return { ...this.s, pending: this.buffer.length + this.retry.length };
  }

  /** Send what is buffered; serialised so batches never interleave. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.buffer.length === 0 && this.retry.length === 0) return;
    const batch = this.retry.splice(0).concat(this.buffer);
    const ndjson = toNdjson(this.retryLines.splice(0).concat(this.lines));
    this.buffer = [];
    this.lines = [];
    try {
      await this.opts.sink.write(batch, ndjson);
      this.s.sent += batch.length;
    } catch (err) {
      if (err instanceof SinkRejectedBatch) {
        await this.setAside(batch, ndjson, err);
        return;
      }
      this.opts.onError?.(
        err as Error,
        `sink refused ${batch.length} events; spooling to ${this.opts.spoolPath}`,
      );
      await this.spool(batch, ndjson);
    }
  }

  private async setAside(batch: ApiEvent[], ndjson: string, err: Error): Promise<void> {
    const path = `${this.opts.spoolPath}.rejected`;
    this.opts.onError?.(err, `sink rejected ${batch.length} events for good; kept in ${path}`);
    try {
      await fsp.appendFile(path, ndjson);
      this.s.rejected += batch.length;
    } catch (e) {
      this.opts.onError?.(e as Error, `cannot write ${path}; keeping ${batch.length} events in memory`);
      this.keep(batch, ndjson);
    }
  }

  private keep(batch: ApiEvent[], ndjson: string): void {
    this.retry.push(...batch);
    this.retryLines.push(...ndjson.split('\n').filter((l) => l !== ''));
  }

  private async spool(batch: ApiEvent[], ndjson: string): Promise<void> {
    try {
      await fsp.appendFile(this.opts.spoolPath, ndjson);
      this.s.spooled += batch.length;
    } catch (err) {
      this.opts.onError?.(
        err as Error,
        `cannot write spool ${this.opts.spoolPath}; keeping ${batch.length} events in memory`,
      );
      this.keep(batch, ndjson);
    }
  }

  /**
   * Send the spool to the sink. The file is renamed first so new failures spool to a fresh file;
   * whatever the sink does not take goes back into the spool.
   */
  drain(): Promise<void> {
    // Chained with flushes so no append to the spool is in flight while it is renamed.
    this.flushing = this.flushing.then(() => this.drainOnce());
    return this.flushing;
  }

  private async drainOnce(): Promise<void> {
    if (this.draining || !existsSync(this.opts.spoolPath)) return;
    this.draining = true;
    const work = `${this.opts.spoolPath}.draining-${process.pid}-${Date.now()}`;
    try {
      await fsp.rename(this.opts.spoolPath, work);
      const raw = (await fsp.readFile(work, 'utf8')).split('\n').filter((l) => l.trim() !== '');
      const events: ApiEvent[] = [];
      const lines: string[] = [];
      for (const line of raw) {
        try {
          events.push(ApiEvent.parse(JSON.parse(line)));
          lines.push(line);
        } catch {
          // A torn line (crash mid-append) is kept aside for a person, never discarded.
          await fsp.appendFile(`${this.opts.spoolPath}.bad`, `${line}\n`);
          this.opts.onError?.(new Error('unreadable spool line'), `moved to ${this.opts.spoolPath}.bad`);
        }
      }
      for (let i = 0; i < events.length; i += this.batchSize) {
        const batch = events.slice(i, i + this.batchSize);
        const ndjson = toNdjson(lines.slice(i, i + this.batchSize));
        try {
          await this.opts.sink.write(batch, ndjson);
          this.s.drained += batch.length;
          this.s.sent += batch.length;
        } catch (err) {
          if (err instanceof SinkRejectedBatch) {
            await this.setAside(batch, ndjson, err);
            continue;
          }
          this.opts.onError?.(err as Error, `spool drain stopped; ${events.length - i} events stay spooled`);
          await fsp.appendFile(this.opts.spoolPath, toNdjson(lines.slice(i)));
          break;
        }
      }
      await fsp.unlink(work);
    } catch (err) {
      this.opts.onError?.(err as Error, 'spool drain failed');
    } finally {
      this.draining = false;
    }
  }

  /** Flush, try the spool once more, and stop the timers. */
  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.drainTimer);
    await this.flush();
    await this.drain();
    await this.opts.sink.close?.();
  }
}

const toNdjson = (lines: string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
