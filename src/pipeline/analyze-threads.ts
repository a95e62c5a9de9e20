import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
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

const WORKER_URL = new URL('./analyze-worker.js', import.meta.url);

/** True where the compiled worker exists (the built CLI); sources run under tests do not have it. */
export const analyzeWorkersAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL));

/** Below this much input, threads cost more to start than they save (measured: bench/analyze.js). */
export const THREADS_MIN_BYTES = 32 * 1024 * 1024;

/** Threads to use by default: one per core, two at most (one reader, partition workers). */
export const defaultThreads = (): number => Math.max(1, Math.min(2, availableParallelism()));

export interface WorkerData {
  config: DetectConfigInput | undefined;
  ingest: Pick<IngestOptions, 'dedupe' | 'maxLineBytes'>;
}

export type WorkerRequest =
  | { type: 'accounts'; records: AccountRecord[] }
  | { type: 'batch'; batch: LineBatch }
  | { type: 'has'; id: string }
  | { type: 'export' };

export type WorkerReply =
  | { type: 'batch'; result: BatchResult }
  | { type: 'has'; has: boolean }
  | { type: 'state'; state: PartitionState }
  | { type: 'error'; message: string };

/** One partition worker. Replies come in request order, so each waits in a FIFO queue. */
class PartitionWorker implements PartitionChannel {
  private readonly worker: Worker;
  private readonly queue: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(data: WorkerData) {
    this.worker = new Worker(WORKER_URL, { workerData: data });
    this.worker.on('message', (m: WorkerReply) => {
      const w = this.queue.shift();
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`analyze worker failed: ${m.message}`));
      else w.resolve(m);
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const w of this.queue.splice(0)) w.reject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`analyze worker exited with code ${code}`));
    });
  }

  private request(msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }

  addAccounts(records: AccountRecord[]): void {
    this.worker.postMessage({ type: 'accounts', records } satisfies WorkerRequest);
  }

  async send(batch: LineBatch): Promise<BatchResult> {
    const r = await this.request({ type: 'batch', batch }, [
      batch.bytes.buffer as ArrayBuffer,
      batch.scans.buffer as ArrayBuffer,
      batch.scanNumbers.buffer as ArrayBuffer,
    ]);
    return (r as { result: BatchResult }).result;
  }

  async hasId(id: string): Promise<boolean> {
    const r = await this.request({ type: 'has', id });
    return (r as { has: boolean }).has;
  }

  async exportState(): Promise<PartitionState> {
    const r = await this.request({ type: 'export' });
    return (r as { state: PartitionState }).state;
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
  const data: WorkerData = {
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
