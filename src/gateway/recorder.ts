import { existsSync, mkdirSync, promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES } from '../ingest/index.js';
import { ApiEvent } from '../contracts/index.js';
import { fitEvent } from './event-size.js';
import { SinkRejectedBatch, type EventSink, type SinkResult } from '../pipeline/index.js';

/** Below the server's default 16 MiB ingest body limit, with room to spare. */
export const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;

export interface RecorderOptions {
  sink: EventSink;
  /** Local NDJSON file that absorbs batches the sink could not take. */
  spoolPath: string;
  batchSize?: number;
  flushIntervalMs?: number;
  /** How often to try sending the spool again. */
  drainIntervalMs?: number;
  onError?: (err: Error, context: string) => void;
  /**
   * Largest event as one NDJSON line: the server's line limit (1 MiB), so the server never refuses
   * an exchange for its size. Longer content is cut with a visible marker (see fitEvent).
   */
  maxEventBytes?: number;
  /** Largest batch sent at once, in bytes (default 8 MiB, under the server's 16 MiB body limit). */
  maxBatchBytes?: number;
}

/** One event the sink refused for good, and why. */
interface SetAside {
  event: ApiEvent;
  line: string;
  reason: string;
  message: string;
}

export interface RecorderStats {
  recorded: number;
  sent: number;
  spooled: number;
  drained: number;
  /** Events the sink refused for good, kept in `<spool>.rejected` (reasons in `<spool>.rejected.reasons`). */
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
  private readonly maxEventBytes: number;
  private readonly maxBatchBytes: number;
  private bufferedBytes = 0;
  /**
   * The memory each batch's NDJSON bytes are written into, reused from batch to batch: a batch is
   * ~150 KB, and a fresh string or buffer that size per flush (V8's large-object space) cost
   * ~1–3 ms of main-thread CPU per 200-event batch where writing into held memory costs ~20 µs
   * (docs/performance.md, gateway). Dropped after a write that failed, which may still hold it.
   */
  private scratch: Buffer | null = null;

  constructor(private readonly opts: RecorderOptions) {
    this.batchSize = opts.batchSize ?? 200;
    this.maxEventBytes = opts.maxEventBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    mkdirSync(dirname(opts.spoolPath), { recursive: true });
    this.flushTimer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 250);
    this.drainTimer = setInterval(() => void this.drain(), opts.drainIntervalMs ?? 5000);
    this.flushTimer.unref();
    this.drainTimer.unref();
  }

  record(event: ApiEvent): void {
    this.s.recorded++;
    const fitted = fitEvent(event, this.maxEventBytes);
    this.buffer.push(fitted.event);
    this.lines.push(fitted.line);
    this.bufferedBytes += fitted.line.length;
    if (this.buffer.length >= this.batchSize || this.bufferedBytes >= this.maxBatchBytes) void this.flush();
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
    const events = this.retry.splice(0).concat(this.buffer);
    const lines = this.retryLines.splice(0).concat(this.lines);
    this.buffer = [];
    this.lines = [];
    this.bufferedBytes = 0;
    for (const [from, to] of this.batches(lines)) {
      const batch = events.slice(from, to);
      const batchLines = lines.slice(from, to);
      const err = await this.send(batch, batchLines);
      if (err === null) continue;
      this.opts.onError?.(err, `sink refused ${batch.length} events; spooling to ${this.opts.spoolPath}`);
      await this.spool(batch, batchLines);
    }
  }

  /** [from, to) ranges of at most `batchSize` events and `maxBatchBytes` bytes (at least one event each). */
  private batches(lines: string[]): [number, number][] {
    const out: [number, number][] = [];
    let from = 0;
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const n = Buffer.byteLength(lines[i]!) + 1;
      if (i > from && (i - from >= this.batchSize || bytes + n > this.maxBatchBytes)) {
        out.push([from, i]);
        from = i;
        bytes = 0;
      }
      bytes += n;
    }
    if (from < lines.length) out.push([from, lines.length]);
    return out;
  }

  /**
   * One batch to the sink. Events it refuses for good (all of them, or those it names) are set
   * aside with the reason; returns null when the batch is dealt with, else the error to spool on.
   */
  private async send(batch: ApiEvent[], lines: string[]): Promise<Error | null> {
    try {
      const result = await this.writeBatch(batch, lines);
      const refused = result?.rejected ?? [];
      this.s.sent += batch.length - refused.length;
      if (refused.length > 0)
        await this.setAside(
          refused.map((r) => ({
            event: batch[r.index]!,
            line: lines[r.index]!,
            reason: r.reason,
            message: r.message,
          })),
          new Error(`sink refused ${refused.length} of ${batch.length} events: ${refused[0]!.message}`),
        );
      return null;
    } catch (err) {
      if (!(err instanceof SinkRejectedBatch)) return err as Error;
      const why = new Map(err.rejections.map((r) => [r.index, r]));
      await this.setAside(
        batch.map((event, i) => ({
          event,
          line: lines[i]!,
          reason: why.get(i)?.reason ?? 'batch_refused',
          message: why.get(i)?.message ?? err.message,
        })),
        err,
      );
      return null;
    }
  }

  /** One sink write, with the batch's NDJSON bytes in the reused scratch memory. */
  private async writeBatch(batch: ApiEvent[], lines: string[]): Promise<void | SinkResult> {
    let bound = lines.length;
    for (const line of lines) bound += line.length * 3; // UTF-8: at most 3 bytes per UTF-16 unit
    const reuse = bound <= MAX_SCRATCH_BYTES;
    let buf = reuse ? this.scratch : null;
    if (!buf || buf.length < bound) buf = Buffer.allocUnsafeSlow(Math.max(bound, MIN_SCRATCH_BYTES));
    // Taken while the sink may hold it; given back only once the sink is done with it.
    this.scratch = null;
    let at = 0;
    for (const line of lines) {
      at += buf.write(line, at, 'utf8');
      buf[at++] = 0x0a;
    }
    const result = await this.opts.sink.write(batch, buf.subarray(0, at));
    if (reuse) this.scratch = buf;
    return result;
  }

  /** Into `<spool>.rejected` (the lines as sent, so they can be ingested again once fixed) and their reasons beside it. */
  private async setAside(items: SetAside[], err: Error): Promise<void> {
    const path = `${this.opts.spoolPath}.rejected`;
    this.opts.onError?.(
      err,
      `sink rejected ${items.length} events for good; kept in ${path} (reasons in ${path}.reasons)`,
    );
    const at = new Date().toISOString();
    try {
      await fsp.appendFile(path, toNdjson(items.map((x) => x.line)));
      await fsp.appendFile(
        `${path}.reasons`,
        toNdjson(
          items.map((x) => JSON.stringify({ id: x.event.id, reason: x.reason, message: x.message, at })),
        ),
      );
      this.s.rejected += items.length;
    } catch (e) {
      this.opts.onError?.(e as Error, `cannot write ${path}; keeping ${items.length} events in memory`);
      this.keep(
        items.map((x) => x.event),
        items.map((x) => x.line),
      );
    }
  }

  private keep(batch: ApiEvent[], lines: string[]): void {
    this.retry.push(...batch);
    this.retryLines.push(...lines);
  }

  private async spool(batch: ApiEvent[], lines: string[]): Promise<void> {
    try {
      await fsp.appendFile(this.opts.spoolPath, toNdjson(lines));
      this.s.spooled += batch.length;
    } catch (err) {
      this.opts.onError?.(
        err as Error,
        `cannot write spool ${this.opts.spoolPath}; keeping ${batch.length} events in memory`,
      );
      this.keep(batch, lines);
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
          const event = ApiEvent.parse(JSON.parse(line));
          if (Buffer.byteLength(line) <= this.maxEventBytes) {
            events.push(event);
            lines.push(line);
          } else {
            // Spooled before the size limit applied (an older gateway): fit it now rather than lose it.
            const fitted = fitEvent(event, this.maxEventBytes);
            events.push(fitted.event);
            lines.push(fitted.line);
          }
        } catch {
          // A torn line (crash mid-append) is kept aside for a person, never discarded.
          await fsp.appendFile(`${this.opts.spoolPath}.bad`, `${line}\n`);
          this.opts.onError?.(new Error('unreadable spool line'), `moved to ${this.opts.spoolPath}.bad`);
        }
      }
      for (const [from, to] of this.batches(lines)) {
        const batch = events.slice(from, to);
        const sentBefore = this.s.sent;
        const err = await this.send(batch, lines.slice(from, to));
        this.s.drained += this.s.sent - sentBefore;
        if (err === null) continue;
        this.opts.onError?.(err, `spool drain stopped; ${events.length - from} events stay spooled`);
        await fsp.appendFile(this.opts.spoolPath, toNdjson(lines.slice(from)));
        break;
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

const MIN_SCRATCH_BYTES = 256 * 1024;
/** Larger batches (up to maxBatchBytes) get memory of their own, not kept between flushes. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

const toNdjson = (lines: string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
