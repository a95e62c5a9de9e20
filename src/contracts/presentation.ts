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
