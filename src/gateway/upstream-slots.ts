import type { ClientSignal } from './client-link.js';

/**
 * Bounds the requests in flight to the upstream (at most one per pool connection) with a small,
 * bounded wait for a free slot. Past that the caller answers 503 at once instead of joining the
 * pool's unbounded queue, where a few hundred slow requests would stall every other client.
 */
export class UpstreamSlots {
  private active = 0;
  private readonly waiting: { take: (ok: boolean) => void }[] = [];

  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  get inUse(): number {
    return this.active;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** A slot at once if one is free (give it back with `release`); no promise on the hot path. */
  tryAcquire(): boolean {
    if (this.active >= this.max) return false;
    this.active++;
    return true;
  }

  /**
   * True with a slot held (give it back with `release`), false when none came free within the
   * wait, the queue is full, or `signal` fired (the client left) while waiting.
   */
  acquire(signal: ClientSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.maxWaiting || this.maxWaitMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        take: (ok: boolean): void => {
          clearTimeout(timer);
          signal.off('abort', onAbort);
          resolve(ok);
        },
      };
      const leave = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        waiter.take(false);
      };
      const onAbort = (): void => leave();
      const timer = setTimeout(leave, this.maxWaitMs);
      signal.once('abort', onAbort);
      this.waiting.push(waiter);
    });
  }

  release(): void {
    // Hand the slot straight to the longest waiter, so `active` never exceeds `max`.
    const next = this.waiting.shift();
    if (next) next.take(true);
    else this.active--;
  }
}
