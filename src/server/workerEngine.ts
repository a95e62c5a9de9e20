import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AccountRecord, ApiEvent } from '../schema/index.js';
import type { EngineResult, FindingsEngine } from './engine.js';
import type { EngineReply, EngineRequest } from './workerProtocol.js';

const WORKER_URL = new URL('./engineWorker.js', import.meta.url);
// Batches of up to 2000 events in flight: bounds the memory of a fast replay or ingest burst.
const MAX_OUTSTANDING = 8;

/** True where the compiled worker exists (the built server); sources run under tests do not have it. */
export const workerEngineAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL));

/**
 * The detection engine in a worker thread. Adds are buffered and posted in batches; `analyze`
 * resolves with the findings when the worker has scored everything posted before it.
 */
export class WorkerEngine implements FindingsEngine {
  private readonly worker = new Worker(WORKER_URL);
  private buffer: ApiEvent[] = [];
  private flushQueued = false;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: EngineResult) => void; reject: (e: Error) => void }
  >();
  private failure: Error | null = null;
  /** Event batches posted but not yet taken in by the worker, and who waits for them to drain. */
  private outstanding = new Set<number>();
  private drainWaiters: (() => void)[] = [];

  constructor() {
    this.worker.on('message', (m: EngineReply) => {
      if (m.type === 'ack') {
        this.outstanding.delete(m.id);
        if (this.outstanding.size <= MAX_OUTSTANDING) for (const r of this.drainWaiters.splice(0)) r();
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'result') w.resolve({ findings: m.findings, edges: m.edges });
      else w.reject(new Error(`detection failed in the engine worker: ${m.message}`));
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
    this.post({ type: 'accounts', records: [record] });
  }

  addBenignReference(accountId: string): void {
    this.flush();
    this.post({ type: 'benign', accountIds: [accountId] });
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
      this.post({ type: 'analyze', id, rejectedLines: input.rejectedLines ?? 0 });
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
    const id = this.nextId++;
    this.outstanding.add(id);
    this.post({ type: 'events', id, events });
  }

  private post(msg: EngineRequest): void {
    if (!this.failure) this.worker.postMessage(msg);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    for (const r of this.drainWaiters.splice(0)) r();
  }
}
