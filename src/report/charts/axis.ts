import { html, type HtmlValue, type SafeHtml } from '../html.js';

/** Short tick label: 1200 -> 1.2k. */
export function tickLabel(v: number): string {
  if (v >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (v >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** SVG coordinates are rounded so the markup stays small. */
export const px = (v: number): string => String(Math.round(v * 10) / 10);

/** Where a chart draws: its margins, and the plot's width and height inside them. */
export interface PlotFrame {
  m: { left: number; right: number; top: number; bottom: number };
  w: number;
  h: number;
}

/** The x axis: a line along the bottom of the plot. */
export function xAxisLine({ m, w, h }: PlotFrame): SafeHtml {
  return html`<line
    x1="${px(m.left)}"
    x2="${px(m.left + w)}"
    y1="${px(m.top + h)}"
    y2="${px(m.top + h)}"
    class="axis"
  />`;
}

export interface ChartFigure {
  /** The figure's extra class (`graph`), besides `chart`. */
  kind?: string;
  width: number;
  height: number;
  /** What the chart shows, for screen readers; also its `<title>` unless `title` is given. */
  label: string;
  title?: HtmlValue;
  /** The SVG's content. */
  body: HtmlValue;
  /** What follows the SVG in the figure: a caption or a legend. */
  after?: HtmlValue;
}

/** A chart as the report draws each: a figure holding a titled, labelled SVG, then `after`. */
export function chartFigure(c: ChartFigure): SafeHtml {
  return html`<figure class="${c.kind ? `chart ${c.kind}` : 'chart'}">
    <svg viewBox="0 0 ${c.width} ${c.height}" role="img" aria-label="${c.label}" class="svg-chart">
      <title>${c.title ?? c.label}</title>
      ${c.body}
    </svg>
    ${c.after}
  </figure>`;
}
