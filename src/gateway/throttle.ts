import { GATEWAY_DEFAULTS } from '../contracts/index.js';

/**
 * Per-account token buckets for throttled accounts: `ratePerMinute` requests per minute with a
 * small burst. Returns 0 when the request may pass, else the seconds until it may.
 */
export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly defaultRatePerMinute = GATEWAY_DEFAULTS.throttleRpm,
    private readonly burst = 2,
    private readonly now: () => number = Date.now,
  ) {}

  take(accountId: string, ratePerMinute = this.defaultRatePerMinute): number {
    const now = this.now();
    const perMs = ratePerMinute / 60_000;
    const b = this.buckets.get(accountId) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(accountId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }
}
