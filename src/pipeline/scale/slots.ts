/**
 * A counting semaphore: at most `size` holders at a time, served in arrival order. A worker
 * applies batches of many partitions on one event loop; more in flight than it can process only
 * makes each batch wait longer between its delivery and its acknowledgement.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Resolves with a release function once a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so the count never over-admits.
      if (next) next();
      else this.free++;
    };
  }
}
