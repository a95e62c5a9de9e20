import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import {
  yieldToEventLoop,
  type AccountRecord,
  type ApiEvent,
  type DetectConfigInput,
} from '../../contracts/index.js';
import type { EngineResult, FindingsEngine, UnusableRecord } from './findings-engine.js';
import { FindingsDeltaDecoder, type FindingsDelta } from './findings-delta.js';
import {
  ENGINE_THREAD_URL,
  type EngineReply,
  type EngineRequest,
  type EngineThreadData,
} from '../engine-thread-protocol.js';

// Events posted to the worker in one message: its structured clone is one synchronous block on
// this thread (~2 ms for 256 simulator-shaped events), so a big batch is posted over several turns
// of the event loop and a decision lookup never waits behind a whole batch's clone.
const POST_CHUNK = 256;
// Events handed over but not yet taken in, before `drain` makes a producer wait: bounds the memory
// of a fast replay or ingest burst.
const MAX_BACKLOG = 16_000;

type Queued = { events: ApiEvent[] } | { msg: EngineRequest; onFail?: (err: string) => void };

/**
 * The detection engine in a worker thread. Adds are queued in order and posted in chunks, one
 * chunk per turn of the event loop; `analyze` resolves with the findings when the worker has
 * scored everything added before it.
 */
export class WorkerEngine implements FindingsEngine {
  private readonly worker: Worker;
  /** Adds not yet posted, in order: event chunks and the account/benign/analyze messages between them. */
  private queue: Queued[] = [];
  /** Events in `queue`. */
  private queuedEvents = 0;
  private pumping = false;
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
  /** Events other threads handed to the worker on event ports (as their owner counts them), and those it took in. */
  private handedOverEvents = 0;
  private takenFromPorts = 0;
  onUnusable: ((u: UnusableRecord) => void) | undefined;
  /** The newest scoring round's findings, which the worker hands over as changes only. */
  private readonly rounds = new FindingsDeltaDecoder();

  /** `config` reaches the worker's engine as its workerData. */
  constructor(config: DetectConfigInput = {}) {
    this.worker = new Worker(ENGINE_THREAD_URL, { workerData: { config } satisfies EngineThreadData });
    this.worker.on('message', (m: EngineReply) => {
      if (m.type === 'ack' || m.type === 'unusable' || m.type === 'taken') {
        if (m.type === 'ack') this.release(m.id);
        if (m.type === 'taken') this.taken(m.events);
        for (const u of m.unusable) this.report(u);
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'result') this.resolveRound(w, m.delta, m.text);
      else if (m.type === 'error') w.reject(new Error(`detection failed in the engine worker: ${m.message}`));
      else w.reject(new Error(`the engine worker answered ${m.type}, not result`));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`engine worker exited with code ${code}`)));
  }

  addEvent(event: ApiEvent): void {
    if (this.failure) return;
    const tail = this.queue[this.queue.length - 1];
    if (tail && 'events' in tail && tail.events.length < POST_CHUNK) tail.events.push(event);
    else this.queue.push({ events: [event] });
    this.queuedEvents++;
    this.schedulePump();
  }

  addAccount(record: AccountRecord): void {
    this.enqueue({ type: 'accounts', records: [record] }, (err) =>
      this.report({ kind: 'account', id: record.account_id, message: err }),
    );
  }

  addBenignReference(accountId: string): void {
    this.enqueue({ type: 'benign', accountIds: [accountId] });
  }

  /**
   * A port on which another thread (serve's ingest thread) posts events straight to the worker
   * (`EventPortMessage`); whoever hands events over on it reports them with `handedOver`.
   */
  openEventPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ type: 'port', port: port2 } satisfies EngineRequest, [port2]);
    return port1;
  }

  /** Counts events handed over on an event port, so `backlog` shows them and `analyze` covers them. */
  handedOver(events: number): void {
    if (!this.failure) this.handedOverEvents += events;
  }

  /**
   * Events added but not yet taken in by the worker: queued here, posted and unacknowledged, or
   * handed over on an event port and not yet taken in (its 'taken' can arrive before the count).
   */
  backlog(): number {
    return (
      this.queuedEvents + this.outstandingEvents + Math.max(0, this.handedOverEvents - this.takenFromPorts)
    );
  }

  /** Resolves when the worker has caught up enough that more events will not pile up in memory. */
  drain(): Promise<void> {
    if (this.backlog() <= MAX_BACKLOG || this.failure) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  analyze(input: { rejectedLines?: number; withText?: boolean } = {}): Promise<EngineResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const msg = {
        type: 'analyze',
        id,
        rejectedLines: input.rejectedLines ?? 0,
        handedOver: this.handedOverEvents,
        base: this.rounds.round,
        ...(input.withText ? { text: true } : {}),
      } satisfies EngineRequest;
      this.enqueue(msg, (err) => {
        this.waiting.delete(id);
        reject(new Error(`detection request could not reach the engine worker: ${err}`));
      });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('engine worker closed');
    await this.worker.terminate();
  }

  private resolveRound(
    w: { resolve: (r: EngineResult) => void; reject: (e: Error) => void },
    d: FindingsDelta,
    text: string | undefined,
  ): void {
    let result: EngineResult;
    try {
      result = this.rounds.decode(d);
    } catch (err) {
      return w.reject(err instanceof Error ? err : new Error(String(err)));
    }
    w.resolve(text === undefined ? result : { ...result, text });
  }

  private enqueue(msg: EngineRequest, onFail?: (err: string) => void): void {
    if (this.failure) return;
    this.queue.push(onFail ? { msg, onFail } : { msg });
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    // The first chunk goes at the end of the current task; the rest one per turn of the loop.
    queueMicrotask(() => void this.pump());
  }

  private async pump(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        if ('events' in item) {
          this.queuedEvents -= item.events.length;
          this.postChunk(item.events);
        } else {
          const err = this.post(item.msg);
          if (err !== null) item.onFail?.(err);
        }
        if (this.queue.length > 0) await yieldToEventLoop();
      }
    } finally {
      this.pumping = false;
    }
  }

  private postChunk(events: ApiEvent[]): void {
    if (this.postEvents(events) === null) return;
    // The structured clone refused the chunk (e.g. an event nested too deep overflows its stack):
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
    this.wakeDrainers();
  }

  private taken(events: number): void {
    this.takenFromPorts += events;
    this.wakeDrainers();
  }

  private wakeDrainers(): void {
    if (this.backlog() <= MAX_BACKLOG) for (const r of this.drainWaiters.splice(0)) r();
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
    this.queue = [];
    this.queuedEvents = 0;
    this.handedOverEvents = this.takenFromPorts = 0;
    for (const r of this.drainWaiters.splice(0)) r();
  }
}
