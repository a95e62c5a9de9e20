/** Longest single sleep: a paced publisher stays responsive and never sleeps far past its schedule. */
const SLICE_MS = 50;
/** Ahead of schedule by less than this, send now: timers are not finer than ~1 ms, so shorter sleeps would undershoot the rate. */
const MIN_SLEEP_MS = 4;
/** Behind schedule by more than this (a stall: stream full, reconnect), start the schedule again rather than burst to catch up. */
const MAX_BEHIND_MS = 1000;

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Paces items to `perSecond`: item i is due `i / perSecond` seconds after the first, so n items
 * take at least (n - 1) / perSecond seconds (less the few milliseconds below). Waits by sleeping in slices (never busy-waits); items
 * due within a few milliseconds go out together, which keeps the average rate exact at any rate.
 */
export class RatePacer {
  private start: number | null = null;
  private sent = 0;

  constructor(
    private readonly perSecond: number,
    private readonly clock: PacerClock = realClock,
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond))
      throw new RangeError('rate must be a positive number');
  }

  /** Resolves when the next item may go out. */
  async next(): Promise<void> {
    const now = this.clock.now();
    this.start ??= now;
    let due = this.start + (this.sent * 1000) / this.perSecond;
    if (now - due > MAX_BEHIND_MS) {
      this.start = now;
      this.sent = 0;
      due = now;
    }
    this.sent++;
    for (let wait = due - now; wait >= MIN_SLEEP_MS; wait = due - this.clock.now())
      await this.clock.sleep(Math.min(wait, SLICE_MS));
  }
}
