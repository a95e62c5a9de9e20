import { Worker } from 'node:worker_threads';
import {
  SCORING_THREAD_URL,
  type ScoredRound,
  type ScoringReply,
  type ScoringRequest,
  type ScoringThreadData,
} from './scoring-thread-protocol.js';

/** The scoring thread died (uncaught error, out of memory, exit): not a failed round. */
export class ScoringThreadDied extends Error {}

/**
 * One scoring thread, asked for one round at a time. A round the thread answers with an error
 * (PostgreSQL away) rejects with that error; a thread that dies rejects its round with
 * ScoringThreadDied and takes no more (the caller starts another or scores in process).
 */
export class ScoringThread {
  private readonly worker: Worker;
  private nextId = 1;
  private pending: {
    id: number;
    resolve: (r: ScoredRound | null) => void;
    reject: (e: Error) => void;
  } | null = null;
  private failure: Error | null = null;

  constructor(data: ScoringThreadData) {
    this.worker = new Worker(SCORING_THREAD_URL, { workerData: data });
    this.worker.on('message', (m: ScoringReply) => {
      const p = this.pending;
      if (!p || p.id !== m.id) return;
      this.pending = null;
      if (m.type === 'scored') p.resolve(m.round);
      else p.reject(new Error(m.message));
    });
    this.worker.on('error', (err) =>
      this.fail(new ScoringThreadDied(`scoring thread failed: ${err.message}`)),
    );
    this.worker.on('exit', (code) =>
      this.fail(new ScoringThreadDied(`scoring thread exited with code ${code}`)),
    );
  }

  /**
   * Loads the thread's modules and opens its pool now rather than in the first round: a worker
   * warms its thread at start, so the first findings do not wait for (about half a CPU second of)
   * module loading and connecting.
   */
  warm(): void {
    if (!this.failure) this.worker.postMessage({ type: 'warm' } satisfies ScoringRequest);
  }

  /** Why the thread takes no more rounds (died or closed), or null while it does. */
  get failed(): Error | null {
    return this.failure;
  }

  score(force = false): Promise<ScoredRound | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('a scoring round is already running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.worker.postMessage({ type: 'score', id, force } satisfies ScoringRequest);
    });
  }

  /**
   * Stops the thread at once, a running round included: its transaction rolls back when the
   * thread's connections close (the scoring lock with it), and the next round scores again.
   */
  async close(): Promise<void> {
    this.fail(new Error('scoring thread closed'));
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failure);
  }
}
