import { describe, expect, it } from 'vitest';
import { LEVELS } from './levels.js';
import { formatCount, formatScore, formatTime, LEVEL_COLOURS, niceTicks } from './presentation.js';

describe('niceTicks', () => {
  it('covers the maximum with round steps', () => {
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(0.9, 3)).toEqual([0, 0.5, 1]);
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

  it('gives exact decimal ticks, not accumulated float error', () => {
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('still draws an axis when there is nothing to show', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

// WCAG 2 relative luminance and contrast ratio.
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('LEVEL_COLOURS', () => {
  it('has a colour for every level, all different', () => {
    expect(Object.keys(LEVEL_COLOURS)).toEqual([...LEVELS]);
    expect(new Set(Object.values(LEVEL_COLOURS)).size).toBe(LEVELS.length);
  });

  it.each(LEVELS)('%s carries white badge text in the report (4.5:1)', (level) => {
    // src/report/assets.ts: .lv-<level>{background:<colour>;color:#fff} on a white card.
    expect(contrast(LEVEL_COLOURS[level], '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it.each(LEVELS)('%s stands out on the dashboard panels (3:1)', (level) => {
    // web/src/styles.css: --bg, --panel and --panel-2, where dots, bars and graph nodes sit.
    for (const background of ['#0d1117', '#151b23', '#1b222c'])
      expect(contrast(LEVEL_COLOURS[level], background)).toBeGreaterThanOrEqual(3);
  });
});

// One table for the HTML report and the dashboard: both print these through these functions
// (src/report/report-format.ts and web/src/app/format.ts re-export them), so the same figure reads
// the same in both, in the findings JSON and in the raw events.
describe('formatCount, formatScore, formatTime', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [12_345, '12,345'],
    [99_999, '99,999'],
    [100_000, '100,000'],
    [1_250_000, '1,250,000'],
    [2_000_000_000, '2,000,000,000'],
    [12.6, '13'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ])('formatCount(%s) is %s: whole and grouped, never abbreviated', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it.each([
    [0, '0.000'],
    [0.5, '0.500'],
    [0.998, '0.998'],
    [0.9995, '1.000'],
    [1, '1.000'],
    [null, '—'],
    [undefined, '—'],
  ])('formatScore(%s) is %s: the three decimals the findings carry', (score, text) => {
    expect(formatScore(score)).toBe(text);
  });

  it.each([
    ['2026-11-22T10:05:33Z', '2026-11-22 10:05 UTC'],
    ['2026-11-22T10:05:33.123Z', '2026-11-22 10:05 UTC'],
    ['2026-11-22T11:05:59+01:00', '2026-11-22 10:05 UTC'],
    [Date.UTC(2026, 10, 22, 10, 5, 33), '2026-11-22 10:05 UTC'],
    ['not a time', 'not a time'],
    ['', '—'],
    [null, '—'],
    [undefined, '—'],
  ])('formatTime(%s) is %s: UTC to the minute', (t, text) => {
    expect(formatTime(t)).toBe(text);
  });
});
