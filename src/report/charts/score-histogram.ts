import { countLevels, LEVEL_COLOURS, LEVELS, THRESHOLD_LEVELS, type Level } from '../../contracts/index.js';
import { formatCount } from '../report-format.js';
import { html, type SafeHtml } from '../html.js';
import { chartFigure, px, xAxisLine, type PlotFrame } from './axis.js';

export interface ScoreBin {
  from: number;
  to: number;
  byLevel: Record<Level, number>;
  total: number;
}

/** Counts of account scores in equal-width bins over [0, 1], split by level. */
export function scoreBins(accounts: readonly { score: number; level: Level }[], bins = 40): ScoreBin[] {
  const out: ScoreBin[] = Array.from({ length: bins }, (_, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    byLevel: countLevels([]),
    total: 0,
  }));
  for (const a of accounts) {
    const bin = out[Math.min(bins - 1, Math.max(0, Math.floor(a.score * bins)))]!;
    bin.byLevel[a.level]++;
    bin.total++;
  }
  return out;
}

/**
 * Histogram of account scores with the calibrated thresholds marked. Benign accounts dwarf
 * the rest, so bar height is log-scaled; each bar is split by level in proportion to its counts.
 */
export function scoreHistogram(
  accounts: readonly { score: number; level: Level }[],
  thresholds: { monitor: number; review: number; act: number },
  opts: { width?: number; height?: number } = {},
): SafeHtml {
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const m = { left: 48, right: 12, top: 18, bottom: 34 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const bins = scoreBins(accounts);
  const maxTotal = Math.max(1, ...bins.map((b) => b.total));
  const decades = Math.max(1, Math.ceil(Math.log10(maxTotal + 1)));
  const hOf = (count: number): number => (Math.log10(count + 1) / decades) * h;
  const x = (score: number): number => m.left + score * w;

  const frame: HistogramFrame = { m, w, h, x, hOf };
  const bars = levelBars(bins, frame);
  const yTicks = countTicks(decades, frame);
  const xTicks = [0, 0.2, 0.4, 0.6, 0.8, 1].map(
    (v) => html`<text x="${px(x(v))}" y="${px(m.top + h + 16)}" text-anchor="middle">${v.toFixed(1)}</text>`,
  );
  const marks = thresholdMarks(thresholds, frame);
  return chartFigure({
    width,
    height,
    label: 'Distribution of account scores',
    title: 'Distribution of account scores, with calibrated thresholds',
    body: html`${yTicks}${bars} ${xAxisLine({ m, w, h })} ${xTicks}${marks}
      <text x="${px(m.left + w)}" y="${px(height - 2)}" text-anchor="end" class="axis-title">
        account score (accounts, log scale)
      </text>`,
  });
}

interface HistogramFrame extends PlotFrame {
  /** x of a score, and bar height of a count (log-scaled). */
  x: (score: number) => number;
  hOf: (count: number) => number;
}

/** One bar per non-empty bin, stacked by level (strongest on top) in proportion to its counts. */
function levelBars(bins: readonly ScoreBin[], { m, h, x, hOf, w }: HistogramFrame): (SafeHtml | '')[] {
  const barW = w / bins.length;
  return bins.map((b) => {
    if (b.total === 0) return '';
    const total = hOf(b.total);
    let yTop = m.top + h - total;
    const parts = [...LEVELS].reverse().map((level) => {
      const c = b.byLevel[level];
      if (c === 0) return '';
      const seg = (c / b.total) * total;
      const rect = html`<rect
        x="${px(x(b.from) + 0.5)}"
        y="${px(yTop)}"
        width="${px(barW - 1)}"
        height="${px(seg)}"
        fill="${LEVEL_COLOURS[level]}"
        ><title>score ${b.from.toFixed(3)}–${b.to.toFixed(3)}: ${formatCount(c)} ${level}</title></rect
      >`;
      yTop += seg;
      return rect;
    });
    return html`<g>${parts}</g>`;
  });
}

/** Grid lines and labels at each power of ten of the log-scaled count axis. */
function countTicks(decades: number, { m, w, h, hOf }: HistogramFrame): SafeHtml[] {
  return Array.from({ length: decades + 1 }, (_, d) => 10 ** d - (d === 0 ? 1 : 0)).map((v) => {
    const yy = m.top + h - hOf(v);
    return html`<line
        x1="${px(m.left)}"
        x2="${px(m.left + w)}"
        y1="${px(yy)}"
        y2="${px(yy)}"
        class="grid"
      /><text x="${px(m.left - 6)}" y="${px(yy + 4)}" text-anchor="end">${formatCount(v)}</text>`;
  });
}

/** Dashed lines at the calibrated monitor, review and act thresholds, with their values. */
function thresholdMarks(
  thresholds: { monitor: number; review: number; act: number },
  { m, h, x }: HistogramFrame,
): SafeHtml[] {
  return THRESHOLD_LEVELS.map(
    (level) =>
      html`<g
        ><line
          x1="${px(x(thresholds[level]))}"
          x2="${px(x(thresholds[level]))}"
          y1="${px(m.top - 6)}"
          y2="${px(m.top + h)}"
          stroke="${LEVEL_COLOURS[level]}"
          stroke-width="1.5"
          stroke-dasharray="4 3"
        /><text
          x="${px(x(thresholds[level]) + (level === 'monitor' ? -3 : 3))}"
          y="${px(m.top + (level === 'act' ? 16 : 4))}"
          text-anchor="${level === 'monitor' ? 'end' : 'start'}"
          class="mark"
          fill="${LEVEL_COLOURS[level]}"
          >${level} ≥ ${thresholds[level].toFixed(3)}</text
        ></g
      >`,
  );
}
