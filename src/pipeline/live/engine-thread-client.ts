import { Worker } from 'node:worker_threads';
import type { AccountRecord, ApiEvent, DetectConfigInput } from '../../contracts/index.js';
import type { EngineResult, FindingsEngine, UnusableRecord } from './findings-engine.js';
import {
  ENGINE_THREAD_URL,
  type EngineReply,
  type EngineRequest,
  type EngineThreadData,
} from '../engine-thread-protocol.js';

// Batches of up to 2000 events in flight: bounds the memory of a fast replay or ingest burst.
const MAX_OUTSTANDING = 8;

/**
 * The detection engine in a worker thread. Adds are buffered and posted in batches; `analyze`
 * resolves with the findings when the worker has scored everything posted before it.
 */
export class WorkerEngine implements FindingsEngine {
  private readonly worker: Worker;
  private buffer: ApiEvent[] = [];
  private flushQueued = false;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: EngineResult) => void; reject: (e: Error) => void }
  >();
  private failure: Error | null = null;
  /** Event batches posted but not yet taken in by the worker, and who waits for them to drain. */
  private outstanding = new Map<number, number>();
  /** Events in `outstanding` batches. */
  private outstandingEvents = 0;
  private drainWaiters: (() => void)[] = [];
  onUnusable: ((u: UnusableRecord) => void) | undefined;

  /** `config` reaches the worker's engine as its workerData. */
  constructor(config: DetectConfigInput = {}) {
    this.worker = new Worker(ENGINE_THREAD_URL, { workerData: { config } satisfies EngineThreadData });
    this.worker.on('message', (m: EngineReply) => {
      if (m.type === 'ack' || m.type === 'unusable') {
        if (m.type === 'ack') this.release(m.id);
        for (const u of m.unusable) this.report(u);
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'result') w.resolve({ findings: m.findings, edges: m.edges });
      else if (m.type === 'error') w.reject(new Error(`detection failed in the engine worker: ${m.message}`));
      else w.reject(new Error(`the engine worker answered ${m.type}, not result`));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`engine worker exited with code ${code}`)));
  }

  addEvent(event: ApiEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= 2000) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  addAccount(record: AccountRecord): void {
    this.flush();
    const err = this.post({ type: 'accounts', records: [record] });
    if (err) this.report({ kind: 'account', id: record.account_id, message: err });
  }

  addBenignReference(accountId: string): void {
    this.flush();
    this.post({ type: 'benign', accountIds: [accountId] });
  }

  /** Events added but not yet taken in by the worker: buffered here or posted and unacknowledged. */
  backlog(): number {
    return this.buffer.length + this.outstandingEvents;
  }

  /** Resolves when the worker has caught up enough that more events will not pile up in memory. */
  drain(): Promise<void> {
    this.flush();
    if (this.outstanding.size <= MAX_OUTSTANDING || this.failure) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  analyze(input: { rejectedLines?: number } = {}): Promise<EngineResult> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const err = this.post({ type: 'analyze', id, rejectedLines: input.rejectedLines ?? 0 });
      if (err !== null) {
        this.waiting.delete(id);
        reject(new Error(`detection request could not reach the engine worker: ${err}`));
      }
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('engine worker closed');
    await this.worker.terminate();
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    if (this.postEvents(events) === null) return;
    // The structured clone refused the batch (e.g. an event nested too deep overflows its stack):
    // hand the events over one by one, so one unusable event does not cost the rest.
    for (const e of events) {
      const err = this.postEvents([e]);
      if (err !== null) this.report({ kind: 'event', id: e.id, message: err });
    }
  }

  /** Posts one batch in an in-flight slot; the slot is released at once if the post throws. */
  private postEvents(events: ApiEvent[]): string | null {
    if (this.failure) return null;
    const id = this.nextId++;
    this.outstanding.set(id, events.length);
    this.outstandingEvents += events.length;
    const err = this.post({ type: 'events', id, events });
    if (err !== null) this.release(id);
    return err;
  }

  /** Posts to the worker (nothing after a failure); the error's message when the post threw. */
  private post(msg: EngineRequest): string | null {
    if (this.failure) return null;
    try {
      this.worker.postMessage(msg);
      return null;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }

  private release(id: number): void {
    this.outstandingEvents -= this.outstanding.get(id) ?? 0;
    this.outstanding.delete(id);
    if (this.outstanding.size <= MAX_OUTSTANDING) for (const r of this.drainWaiters.splice(0)) r();
  }

  private report(u: UnusableRecord): void {
    try {
      this.onUnusable?.(u);
    } catch {
      // The reporter's own failure must not break the hand-off.
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    this.outstanding.clear();
    this.outstandingEvents = 0;
    for (const r of this.drainWaiters.splice(0)) r();
  }
}
