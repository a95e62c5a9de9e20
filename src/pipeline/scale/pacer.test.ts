import { describe, expect, it } from 'vitest';
import { RatePacer, type PacerClock } from './pacer.js';

/** A clock that only moves when the pacer sleeps (or the test says so): every wait is a sleep. */
function virtualClock() {
  const sleeps: number[] = [];
  let t = 1000;
  const clock: PacerClock = {
    now: () => t,
    sleep: (ms) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
  return { clock, sleeps, advance: (ms: number) => (t += ms), now: () => t };
}

describe('RatePacer', () => {
  it('spreads n items over (n - 1) / rate seconds, sleeping in slices of at least 4 and at most 50 ms', async () => {
    const v = virtualClock();
    const pacer = new RatePacer(5000, v.clock);
    const start = v.now();
    const sentAt: number[] = [];
    for (let i = 0; i < 10_001; i++) {
      await pacer.next();
      sentAt.push(v.now());
    }
    // 10,000 intervals of 0.2 ms: 2 s, less at most the 4 ms an item may go early.
    expect(v.now() - start).toBeGreaterThanOrEqual(2000 - 4);
    expect(v.now() - start).toBeLessThanOrEqual(2000);
    // No item ahead of its schedule by 4 ms or more; none behind (the clock only moves in sleeps).
    sentAt.forEach((t, i) => expect(t - start).toBeGreaterThan(i * 0.2 - 4));
    expect(Math.min(...v.sleeps)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...v.sleeps)).toBeLessThanOrEqual(50);
    // Sleeping, not spinning: about one sleep per 4 ms of schedule, not one per item.
    expect(v.sleeps.length).toBeLessThan(600);
  });

  it('sleeps in 50 ms slices at a slow rate', async () => {
    const v = virtualClock();
    const pacer = new RatePacer(2, v.clock);
    await pacer.next();
    await pacer.next();
    expect(v.sleeps).toEqual([50, 50, 50, 50, 50, 50, 50, 50, 50, 50]);
  });

  it('starts its schedule again after a stall instead of bursting to catch up', async () => {
    const v = virtualClock();
    const pacer = new RatePacer(100, v.clock);
    await pacer.next();
    v.advance(5000); // the stream was full for 5 s: 500 items behind
    const before = v.now();
    for (let i = 0; i < 11; i++) await pacer.next();
    // Held to 100/s again from the stall's end: 11 items take 100 ms, not 0.
    expect(v.now() - before).toBeGreaterThanOrEqual(100 - 4);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const r of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new RatePacer(r)).toThrow(RangeError);
  });
});
