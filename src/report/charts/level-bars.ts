import { LEVEL_COLOURS, LEVELS, type Level } from '../../contracts/index.js';
import { formatCount } from '../report-format.js';
import { html, type SafeHtml } from '../html.js';
import { chartFigure, px } from './axis.js';

/**
 * Horizontal bars of counts per level. Bar length is log-scaled so a handful of `act`
 * accounts stays visible beside thousands of `none`; the exact count is printed beside it.
 */
export function levelBars(counts: Record<Level, number>, opts: { width?: number; label: string }): SafeHtml {
  const width = opts.width ?? 320;
  const rowH = 24;
  const m = { left: 64, right: 64 };
  const w = width - m.left - m.right;
  const height = LEVELS.length * rowH + 4;
  const max = Math.max(1, ...LEVELS.map((l) => counts[l]));
  const len = (c: number): number =>
    c === 0 ? 0 : Math.max(2, (Math.log10(c + 1) / Math.log10(max + 1)) * w);
  const rows = [...LEVELS].reverse().map((level, i) => {
    const y = 2 + i * rowH;
    const c = counts[level];
    return html`<g
      ><text x="${px(m.left - 8)}" y="${px(y + 16)}" text-anchor="end">${level}</text
      ><rect
        x="${px(m.left)}"
        y="${px(y + 4)}"
        width="${px(len(c))}"
        height="16"
        rx="2"
        fill="${LEVEL_COLOURS[level]}"
        ><title>${formatCount(c)} ${opts.label} at ${level}</title></rect
      ><text x="${px(m.left + len(c) + 6)}" y="${px(y + 16)}">${formatCount(c)}</text></g
    >`;
  });
  return chartFigure({
    width,
    height,
    label: `${opts.label} per level`,
    body: rows,
    after: html`<figcaption>${opts.label} per level (bar length log-scaled)</figcaption>`,
  });
}
