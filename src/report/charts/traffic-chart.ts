import { niceTicks } from '../../contracts/index.js';
import { formatCount } from '../report-format.js';
import { html, type SafeHtml } from '../html.js';
import { chartFigure, px, tickLabel, xAxisLine, type PlotFrame } from './axis.js';

const HOUR_MS = 3_600_000;
const MAX_POINTS = 360;

export interface TrafficSeries {
  label: string;
  colour: string;
  /** Events per hour index (epoch ms / 3 600 000). */
  hourly: ReadonlyMap<number, number>;
}

/** First and last hour index the time axis must cover, e.g. the whole input's span. */
export interface HourRange {
  from: number;
  to: number;
}

/** The hour range of the whole input, so every cluster's chart shares one time axis. */
export function hourRangeOf(from: string | null, to: string | null): HourRange | undefined {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return undefined;
  return { from: Math.floor(a / HOUR_MS), to: Math.floor(b / HOUR_MS) };
}

export interface TrafficBins {
  /** First hour index of bin 0. */
  start: number;
  /** Hours per bin. */
  hoursPerBin: number;
  /** One row of bin counts per series. */
  counts: number[][];
}

/**
 * Puts hourly counts on one shared time axis, with empty hours as zeros, merging hours into
 * wider bins when the span is long so the chart keeps at most `maxPoints` points.
 */
export function binHourly(
  series: readonly TrafficSeries[],
  maxPoints = MAX_POINTS,
  range?: HourRange,
): TrafficBins | null {
  let lo = range?.from ?? Infinity;
  let hi = range?.to ?? -Infinity;
  for (const s of series)
    for (const h of s.hourly.keys()) {
      if (h < lo) lo = h;
      if (h > hi) hi = h;
    }
  if (!Number.isFinite(lo)) return null;
  const span = hi - lo + 1;
  const candidates = [1, 2, 3, 6, 12, 24, 48, 168];
  const hoursPerBin =
    candidates.find((b) => Math.ceil(span / b) <= maxPoints) ?? Math.ceil(span / maxPoints / 168) * 168;
  // Align wide bins to whole days (UTC) so tick labels fall on midnights.
  const start = hoursPerBin >= 24 ? Math.floor(lo / 24) * 24 : Math.floor(lo / hoursPerBin) * hoursPerBin;
  const bins = Math.floor((hi - start) / hoursPerBin) + 1;
  const counts = series.map((s) => {
    const row = new Array<number>(bins).fill(0);
    for (const [h, c] of s.hourly) row[Math.floor((h - start) / hoursPerBin)]! += c;
    return row;
  });
  return { start, hoursPerBin, counts };
}

const dateLabel = (hour: number, withTime: boolean): string => {
  const iso = new Date(hour * HOUR_MS).toISOString();
  return withTime ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(5, 10);
};

/**
 * Events over time: an area for one series, lines for several (the top clusters overview).
 * Time runs in UTC; the y axis counts events per bin (stated in the axis title).
 */
export function trafficChart(
  series: readonly TrafficSeries[],
  opts: { width?: number; height?: number; title: string; range?: HourRange },
): SafeHtml {
  const width = opts.width ?? 640;
  const height = opts.height ?? 200;
  const bins = binHourly(series, MAX_POINTS, opts.range);
  if (!bins) return html`<p class="muted">No timestamped events.</p>`;
  const m = { left: 48, right: 12, top: 12, bottom: 34 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const n = bins.counts[0]!.length;
  const max = Math.max(1, ...bins.counts.flat());
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1]!;
  const x = (i: number): number => m.left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
  const y = (v: number): number => m.top + h - (v / top) * h;

  const grid = ticks.map(
    (t) =>
      html`<line
          x1="${px(m.left)}"
          x2="${px(m.left + w)}"
          y1="${px(y(t))}"
          y2="${px(y(t))}"
          class="grid"
        /><text x="${px(m.left - 6)}" y="${px(y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
  );
  const frame: TrafficFrame = { m, w, h, x, y, n };
  const xTicks = timeTicks(bins, frame);
  const single = series.length === 1;
  const paths = seriesPaths(series, bins, frame);
  const legend = single
    ? ''
    : html`<div class="legend">
        ${series.map((s) => html`<span><i style="background:${s.colour}"></i>${s.label}</span>`)}
      </div>`;
  const unit = bins.hoursPerBin === 1 ? 'hour' : `${bins.hoursPerBin} h`;
  return chartFigure({
    width,
    height,
    label: opts.title,
    body: html`${grid}${xTicks} ${xAxisLine({ m, w, h })} ${paths}
      <text x="${px(m.left + w)}" y="${px(height - 2)}" text-anchor="end" class="axis-title">
        time (UTC), events per ${unit}
      </text>`,
    after: legend,
  });
}

interface TrafficFrame extends PlotFrame {
  /** x of a bin index, y of a count; n bins. */
  x: (i: number) => number;
  y: (v: number) => number;
  n: number;
}

/** About six time labels, on bin boundaries (with the time of day when the span is short). */
function timeTicks(bins: { start: number; hoursPerBin: number }, { m, h, x, n }: TrafficFrame): SafeHtml[] {
  const spanHours = n * bins.hoursPerBin;
  const every = Math.max(1, Math.ceil(n / 6));
  const xTicks = [];
  for (let i = 0; i < n; i += every) {
    const hour = bins.start + i * bins.hoursPerBin;
    xTicks.push(
      html`<line
          x1="${px(x(i))}"
          x2="${px(x(i))}"
          y1="${px(m.top + h)}"
          y2="${px(m.top + h + 4)}"
          class="axis"
        /><text x="${px(x(i))}" y="${px(m.top + h + 16)}" text-anchor="middle"
          >${dateLabel(hour, spanHours <= 72)}</text
        >`,
    );
  }
  return xTicks;
}

/** One line per series; a single series also gets a filled area under its line. */
function seriesPaths(
  series: readonly TrafficSeries[],
  bins: { counts: number[][] },
  { x, y, n }: TrafficFrame,
): SafeHtml[] {
  const single = series.length === 1;
  return bins.counts.map((row, si) => {
    const s = series[si]!;
    const line = row.map((v, i) => `${i === 0 ? 'M' : 'L'}${px(x(i))},${px(y(v))}`).join('');
    const area = single
      ? html`<path
          d="${`${line}L${px(x(n - 1))},${px(y(0))}L${px(x(0))},${px(y(0))}Z`}"
          fill="${s.colour}"
          fill-opacity="0.18"
        />`
      : '';
    const total = row.reduce((a, b) => a + b, 0);
    return html`<g
      >${area}<path d="${line}" fill="none" stroke="${s.colour}" stroke-width="1.6"
        ><title>${s.label}: ${formatCount(total)} events</title></path
      ></g
    >`;
  });
}
