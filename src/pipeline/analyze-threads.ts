import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DetectionEngine, PartitionState } from '../findings/index.js';
import {
  IngestReport,
  readInput,
  type BatchResult,
  type IngestOptions,
  type LineBatch,
  type PartitionChannel,
} from '../ingest/index.js';
import type { AccountRecord, DetectConfigInput } from '../contracts/index.js';
import {
  ENGINE_THREAD_URL,
  lineBatchTransfer,
  type EngineReply,
  type EngineRequest,
  type EngineThreadData,
} from './engine-thread-protocol.js';

/** Below this much input, threads cost more to start than they save (measured: bench/analyze.js). */
export const THREADS_MIN_BYTES = 32 * 1024 * 1024;

/** Threads to use by default: one per core, two at most (one reader, partition workers). */
export const defaultThreads = (): number => Math.max(1, Math.min(2, availableParallelism()));

type Answer<T extends EngineReply['type']> = Extract<EngineReply, { type: T }>;

/** One partition worker: an engine thread fed raw lines, whose state is merged at the end. */
class PartitionWorker implements PartitionChannel {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { answer: EngineReply['type']; resolve: (r: EngineReply) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(data: EngineThreadData) {
    this.worker = new Worker(ENGINE_THREAD_URL, { workerData: data });
    this.worker.on('message', (m: EngineReply) => {
      // An account the engine throws on fails the run, as it does on one thread.
      if (m.type === 'unusable')
        return this.fail(
          new Error(`analyze worker failed: account ${m.unusable[0]?.id}: ${m.unusable[0]?.message}`),
        );
      // Batch threads have no event ports: nothing is ever 'taken'.
      if (m.type === 'ack' || m.type === 'taken') return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'error') w.reject(new Error(`analyze worker failed: ${m.message}`));
      else if (m.type !== w.answer) w.reject(new Error(`analyze worker answered ${m.type}, not ${w.answer}`));
      else w.resolve(m);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`analyze worker exited with code ${code}`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }

  private request<T extends EngineReply['type']>(
    msg: EngineRequest & { id: number },
    answer: T,
    transfer: ArrayBuffer[] = [],
  ): Promise<Answer<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      // Resolved only with a reply of type `answer` (checked in the message handler).
      this.waiting.set(msg.id, { answer, resolve: resolve as (r: EngineReply) => void, reject });
      this.worker.postMessage(msg, transfer);
    });
  }

  addAccounts(records: AccountRecord[]): void {
    this.worker.postMessage({ type: 'accounts', records } satisfies EngineRequest);
  }

  async send(batch: LineBatch): Promise<BatchResult> {
    const r = await this.request(
      { type: 'lines', id: this.nextId++, batch },
      'lines',
      lineBatchTransfer(batch),
    );
    return r.result;
  }

  async hasId(eventId: string): Promise<boolean> {
    return (await this.request({ type: 'has', id: this.nextId++, eventId }, 'has')).has;
  }

  async exportState(): Promise<PartitionState> {
    return (await this.request({ type: 'export', id: this.nextId++ }, 'state')).state;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * Feeds the files into `engine` through `threads` partition workers: this thread reads and routes
 * lines, the workers parse, validate and accumulate their accounts, and their states are merged
 * into `engine` (partitions merge to the findings one engine would give; see engine-state.test).
 */
export async function feedEngineThreaded(
  engine: DetectionEngine,
  paths: readonly string[],
  opts: IngestOptions & { accounts?: readonly string[]; config?: DetectConfigInput },
  threads: number,
): Promise<IngestReport> {
  const report = opts.report ?? new IngestReport();
  const data: EngineThreadData = {
    config: opts.config,
    ingest: { dedupe: opts.dedupe, maxLineBytes: opts.maxLineBytes },
  };
  const workers = Array.from({ length: threads }, () => new PartitionWorker(data));
  try {
    await readInput(paths, workers, { ...opts, report });
    // Every worker serialises its state at once; they are imported in partition order.
    const states = workers.map((w) => w.exportState());
    for (const pending of states) {
      const state = await pending;
      for (const a of state.state.accounts) if (a.stats) report.countAccountId(a.account_id);
      engine.importState(state.state, state.kernels);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return report;
}
