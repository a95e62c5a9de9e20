import { describe, expect, it } from 'vitest';
import { labelEvery, niceTicks, shortHour } from './chartScale.js';

describe('niceTicks', () => {
  it('covers the maximum with round steps', () => {
    for (const max of [1, 7, 42, 999, 1000, 123_456]) {
      const ticks = niceTicks(max);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
      const step = ticks[1]! - ticks[0]!;
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 5, 10]).toContain(Math.round(mantissa * 1000) / 1000);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });

  it('still draws an axis when there is no traffic', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('labelEvery', () => {
  it('thins labels so they fit the width', () => {
    expect(labelEvery(24, 2400)).toBe(1);
    const every = labelEvery(168, 800);
    expect(Math.ceil(168 / every) * 84).toBeLessThanOrEqual(800 + 84);
  });
});

describe('shortHour', () => {
  it('prints UTC hours, with the date when the range spans days', () => {
    expect(shortHour('2026-11-20T07:00:00Z', false)).toBe('07:00');
    expect(shortHour('2026-11-20T07:00:00Z', true)).toBe('11-20 07h');
  });
});
