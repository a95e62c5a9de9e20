import { describe, expect, it } from 'vitest';
import { fingerprint64 } from '../text/index.js';
import { DistinctSample } from './distinct-sample.js';

const key = (i: number): string => fingerprint64(`benchmark item ${i}`);

describe('distinct sample of prompts', () => {
  it('sees a suite re-run against three models as two thirds re-use, however far apart the repeats are', () => {
    // The case a heavy-hitter sketch misses: 800 items, each sent once per run, three runs.
    const s = new DistinctSample(32);
    for (let run = 0; run < 3; run++) for (let i = 0; i < 800; i++) s.add(key(i));
    expect(s.repeatShare()).toBeCloseTo(2 / 3, 5);
    expect(s.sampled.distinct).toBeLessThanOrEqual(32);
    expect(s.sampled.distinct).toBeGreaterThanOrEqual(8);
  });

  it('sees new work as no re-use, and a mix in proportion', () => {
    const fresh = new DistinctSample(32);
    for (let i = 0; i < 5000; i++) fresh.add(key(i));
    expect(fresh.repeatShare()).toBe(0);
    // 3,000 distinct prompts and 1,000 re-sends of earlier ones: a quarter re-used.
    const mixed = new DistinctSample(32);
    for (let i = 0; i < 3000; i++) mixed.add(key(i));
    for (let i = 0; i < 1000; i++) mixed.add(key((i * 7) % 3000));
    expect(mixed.repeatShare()).toBeGreaterThan(0.1);
    expect(mixed.repeatShare()).toBeLessThan(0.45);
  });

  it('merges two halves of a stream into exactly the sample of the whole', () => {
    const whole = new DistinctSample(32);
    const a = new DistinctSample(32);
    const b = new DistinctSample(32);
    for (let i = 0; i < 2000; i++) {
      const k = key(i % 700);
      whole.add(k);
      (i % 3 === 0 ? a : b).add(k);
    }
    a.mergeFrom(b);
    expect(a.snapshot().level).toBe(whole.snapshot().level);
    expect(new Map(a.snapshot().entries)).toEqual(new Map(whole.snapshot().entries));
  });

  it('restores from its snapshot and goes on sampling as an uninterrupted one', () => {
    const whole = new DistinctSample(32);
    for (let i = 0; i < 1500; i++) whole.add(key(i % 500));
    const first = new DistinctSample(32);
    for (let i = 0; i < 700; i++) first.add(key(i % 500));
    const resumed = DistinctSample.from(32, first.snapshot());
    for (let i = 700; i < 1500; i++) resumed.add(key(i % 500));
    expect(resumed.snapshot()).toEqual(whole.snapshot());
  });
});
