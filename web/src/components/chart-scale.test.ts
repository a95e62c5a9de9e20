import { describe, expect, it } from 'vitest';
import { labelEvery, shortHour } from './chart-scale.js';

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
