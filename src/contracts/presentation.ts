// Presentation shared by the HTML report and the dashboard. It lives in contracts because that is
// the one engine module the browser bundle may import; like the rest of contracts it stays free
// of node: imports and Node globals (eslint.config.js, the src/contracts block).
import type { Level } from './findings.js';

/**
 * Level colours, one palette for both UIs. Each colour carries white badge text on the report's
 * light page (at least 4.5:1) and stands out as a fill on the dashboard's dark panels (at least
 * 3:1, WCAG 1.4.11); src/contracts/presentation.test.ts checks both.
 */
export const LEVEL_COLOURS: Readonly<Record<Level, string>> = {
  none: '#6b7280',
  monitor: '#2f6fd0',
  review: '#a86400',
  act: '#c8322c',
};

/** Round tick values covering [0, max]: 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
  const ticks: number[] = [];
  // toPrecision keeps 0.1 + 0.2 from printing as 0.30000000000000004.
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

// Numbers and times as an analyst reads them, the same in the HTML report and the dashboard, so a
// figure can be checked from one against the other, the findings JSON and the raw events.
const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1,250,000`: whole and grouped, never abbreviated (1.3M cannot be checked); `—` when unknown. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : wholeNumber.format(n);
}

/**
 * `0.998`: a score (account, cluster or signal) to the three decimals the findings carry, so one
 * just short of 1 never reads as `1.00`; `—` when unknown.
 */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score) ? '—' : score.toFixed(3);
}

/** `2026-11-22 10:05 UTC` from an ISO string or epoch ms; `—` when unknown, as given when unparsable. */
export function formatTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined || t === '') return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
