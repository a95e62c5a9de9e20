import { describe, expect, it } from 'vitest';
import { Rng, mixKeys } from './rng.js';

describe('Rng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(seqA);
  });

  it('derives independent streams from labels', () => {
    expect(mixKeys(1, ['benign', 3])).toBe(mixKeys(1, ['benign', 3]));
    expect(mixKeys(1, ['benign', 3])).not.toBe(mixKeys(1, ['benign', 4]));
    expect(mixKeys(1, ['ab', 'c'])).not.toBe(mixKeys(1, ['a', 'bc']));
    expect(Rng.derive(5, 'x').u32()).toBe(Rng.derive(5, 'x').u32());
  });

  it('draws uniform floats, bounded integers and the right means', () => {
    const rng = new Rng(7);
    const n = 20_000;
    let sum = 0;
    let pois = 0;
    let expo = 0;
    const ints = new Set<number>();
    for (let i = 0; i < n; i++) {
      const f = rng.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      sum += f;
      ints.add(rng.int(3, 7));
      pois += rng.poisson(4);
      expo += rng.exponential(10);
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect([...ints].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(pois / n).toBeCloseTo(4, 0);
    expect(expo / n).toBeGreaterThan(9.5);
    expect(expo / n).toBeLessThan(10.5);
  });

  it('picks by weight', () => {
    const rng = new Rng(9);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        rng.weighted([
          ['a', 9],
          ['b', 1],
        ] as const) === 'a'
      )
        heavy++;
    expect(heavy / 10_000).toBeGreaterThan(0.87);
    expect(heavy / 10_000).toBeLessThan(0.93);
  });

  it('samples distinct items and formats ids', () => {
    const rng = new Rng(11);
    const s = rng.sample([1, 2, 3, 4, 5, 6], 4);
    expect(new Set(s).size).toBe(4);
    expect(rng.hex(24)).toMatch(/^[0-9a-f]{24}$/);
    expect(rng.base36(16)).toMatch(/^[0-9a-z]{16}$/);
  });
});
