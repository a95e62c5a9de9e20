/**
 * Lets the event loop run timers and I/O before the caller goes on. Long synchronous work on a
 * server's request path (parsing a batch, inserting it into SQLite) is sliced with this so other
 * requests — an enforcement point's decision lookup — are not held behind a whole batch: promise
 * continuations alone run as microtasks and never let the loop poll sockets.
 *
 * Callers take turns: one waiting caller resumes per turn of the event loop, and the loop polls
 * for I/O between turns. With setImmediate alone, every batch in flight resumed in the same
 * check phase, so a lookup arriving behind four ingest batches waited four slices, not one.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(nextTurn);
  });
}

const waiting: (() => void)[] = [];

function nextTurn(): void {
  waiting.shift()?.();
  // Scheduled from the check phase, so it runs on the loop's next iteration, after a poll.
  if (waiting.length > 0) setImmediate(nextTurn);
}

let sliceBudgetMs = 1;

/**
 * Sets this thread's default WorkSlice budget. A worker thread that answers nobody while it works
 * (serve's ingest thread) runs its work unsliced (`Infinity`): a turn of its loop gains nothing,
 * and a SQLite transaction sliced over turns holds the write lock longer.
 */
export function setWorkSliceBudget(ms: number): void {
  sliceBudgetMs = ms;
}

/**
 * Slices a loop of synchronous work by time rather than by count, so a slice stays short on a
 * busy machine and does not yield needlessly on an idle one:
 * `const s = new WorkSlice(); for (…) { if (s.due()) await s.yield(); … }`.
 */
export class WorkSlice {
  private start = performance.now();
  private n = 0;

  /** `budgetMs`: work between turns (default 1, see `setWorkSliceBudget`); `checkEvery`: items between clock reads (a read is ~50 ns). */
  constructor(
    private readonly budgetMs = sliceBudgetMs,
    private readonly checkEvery = 16,
  ) {}

  /** True when this slice has used its budget (checked every `checkEvery` calls). */
  due(): boolean {
    if (++this.n % this.checkEvery !== 0) return false;
    return performance.now() - this.start >= this.budgetMs;
  }

  /** Waits for a turn of the event loop and starts a new slice. */
  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.start = performance.now();
  }
}
