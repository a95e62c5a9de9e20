import { Worker } from 'node:worker_threads';
import { UserError, UserErrorCode } from '../contracts/index.js';
import type { LiveDetection } from '../pipeline/index.js';
import {
  finishStored,
  type EventBodyOptions,
  type EventIngest,
  type IngestState,
  type StoredEvents,
} from './event-ingest.js';
import {
  INGEST_THREAD_URL,
  type IngestReply,
  type IngestRequest,
  type IngestThreadData,
  type WireError,
} from './ingest-thread-protocol.js';
import type { ServeMetrics } from './serve-metrics.js';

export interface IngestThreadOptions {
  /** Batches handed to the thread and not yet answered; one more is refused with 503. */
  maxBatches: number;
  /** Bytes (as received) of those batches; a batch that would pass it is refused with 503. */
  maxBytes: number;
  /** Wait before starting the thread again after it stopped; doubles while it keeps stopping. */
  restartDelayMs: number;
  maxRestartDelayMs: number;
}

export const DEFAULT_INGEST_THREAD: IngestThreadOptions = {
  maxBatches: 64,
  maxBytes: 256 * 1024 * 1024,
  restartDelayMs: 100,
  maxRestartDelayMs: 5000,
};

type Stored = Extract<IngestReply, { type: 'stored' }>;

interface Pending {
  resolve: (r: Stored) => void;
  reject: (err: Error) => void;
  bytes: number;
}

const unavailable = (message: string) => new UserError('SERVICE_UNAVAILABLE', message);

/**
 * The API thread's side of serve's ingest thread: each body is moved (not copied) to the thread,
 * which decodes, validates and stores it on a connection of its own and hands the new events to
 * the engine's thread directly; this side gets counts back and does the bookkeeping. Bounded: past
 * `maxBatches` or `maxBytes` in the thread, a body is refused with 503 SERVICE_UNAVAILABLE. When the
 * thread stops, the batches it held fail with the same code, and it is started again.
 */
export class IngestThread implements EventIngest {
  private worker: Worker | null = null;
  /** Whether the running thread holds a port to the engine's thread. */
  private toEngine = false;
  private readonly pending = new Map<number, Pending>();
  private bytes = 0;
  private nextId = 1;
  private delay: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Told when the thread failed or stopped (the service logs it). */
  onFailure: ((err: Error) => void) | undefined;

  constructor(
    private readonly deps: { live: LiveDetection; metrics: ServeMetrics },
    private readonly data: Omit<IngestThreadData, 'enginePort'>,
    private readonly o: IngestThreadOptions = DEFAULT_INGEST_THREAD,
  ) {
    this.delay = o.restartDelayMs;
    this.start();
  }

  get state(): IngestState {
    return this.closed ? 'closed' : this.worker ? 'running' : 'restarting';
  }

  /** Batches handed to the thread and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** The running thread (null while it restarts); tests stop it to see ingest fail closed. */
  get thread(): Worker | null {
    return this.worker;
  }

  async events(route: string, body: Buffer, opts: EventBodyOptions): Promise<StoredEvents> {
    const worker = this.worker;
    if (!worker)
      throw unavailable(
        this.closed
          ? 'The service is stopping; send the batch to it again once it is back.'
          : 'The ingest thread is restarting after it stopped; send the batch again in a moment.',
      );
    if (this.pending.size >= this.o.maxBatches || this.bytes + body.length > this.o.maxBytes)
      throw unavailable(
        `The ingest queue is full (${this.pending.size} batches, ${Math.ceil(this.bytes / 1048576)} MiB being stored); send the batch again in a moment.`,
      );
    const handOff = this.toEngine && this.deps.live.takesHandOff ? 'engine' : 'return';
    const bytes = movable(body);
    const id = this.nextId++;
    const reply = new Promise<Stored>((resolve, reject) =>
      this.pending.set(id, { resolve, reject, bytes: body.length }),
    );
    this.bytes += body.length;
    try {
      const msg: IngestRequest = {
        type: 'events',
        id,
        body: bytes,
        encoding: opts.encoding,
        refuseEmpty: opts.refuseEmpty,
        handOff,
      };
      worker.postMessage(msg, [bytes.buffer as ArrayBuffer]);
    } catch (err) {
      this.settle(id)?.reject(err as Error);
    }
    const r = await reply;
    this.delay = this.o.restartDelayMs;
    if (r.fresh) this.deps.live.addEvents(r.fresh);
    if (r.handed) this.deps.live.handedOff(r.handed);
    return finishStored(this.deps, route, r.stored, opts);
  }

  /** Lets the thread finish the batches it holds and close its connection (5 s at most). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage({ type: 'close' });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private start(): void {
    const enginePort = this.deps.live.openEventPort();
    const worker = new Worker(INGEST_THREAD_URL, {
      workerData: { ...this.data, enginePort } satisfies IngestThreadData,
      transferList: enginePort ? [enginePort] : [],
    });
    this.worker = worker;
    this.toEngine = enginePort !== undefined;
    worker.on('message', (m: IngestReply) => {
      const p = this.settle(m.id);
      if (!p) return;
      if (m.type === 'stored') p.resolve(m);
      else p.reject(fromWire(m.error));
    });
    worker.on('error', (err) => this.onFailure?.(err));
    worker.on('exit', (code) => this.stopped(worker, code));
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.bytes -= p.bytes;
    return p;
  }

  /** Fails the batches the thread held (closed) and starts it again after a wait. */
  private stopped(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const held = [...this.pending.keys()];
    for (const id of held)
      this.settle(id)?.reject(
        unavailable(
          'The ingest thread stopped while it held this batch; send it again (events are stored once by id: any stored before the stop count as duplicates).',
        ),
      );
    if (this.closed) return;
    this.onFailure?.(
      new Error(`ingest thread exited with code ${code}; starting it again in ${this.delay} ms`),
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.start();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.o.maxRestartDelayMs);
  }
}

/**
 * The body's bytes in an ArrayBuffer they alone use, so it can be moved: a body under 4 KiB may sit
 * in Node's shared buffer pool, which must not be moved (it is copied instead).
 */
function movable(body: Buffer): Uint8Array {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
    ? new Uint8Array(body.buffer, 0, body.byteLength)
    : new Uint8Array(body);
}

/** The thread's error as the error handler expects it: a UserError with its code, or an Error with its status and driver code. */
function fromWire(w: WireError): Error {
  const code = UserErrorCode.safeParse(w.userCode);
  if (code.success) return new UserError(code.data, w.message, w.details);
  const err = new Error(w.message);
  err.name = w.name;
  if (w.stack) err.stack = w.stack;
  return Object.assign(err, {
    ...(w.statusCode !== undefined ? { statusCode: w.statusCode } : {}),
    ...(w.code !== undefined ? { code: w.code } : {}),
  });
}
