import { LEVEL_COLOURS, type Level } from '../../contracts/index.js';
import { html, type SafeHtml } from '../html.js';
import { chartFigure, px } from './axis.js';

export interface LinkEdge {
  source: string;
  target: string;
  weight: number;
  kinds: readonly string[];
}

/**
 * The members of one cluster on a circle with the linkage edges among them. Large clusters
 * show their `maxNodes` best-connected members so the picture stays readable.
 */
export function linkageGraph(
  members: readonly { id: string; level: Level }[],
  edges: readonly LinkEdge[],
  opts: { size?: number; maxNodes?: number } = {},
): SafeHtml {
  const size = opts.size ?? 260;
  const maxNodes = opts.maxNodes ?? 48;
  const inCluster = new Set(members.map((m) => m.id));
  const own = edges.filter((e) => inCluster.has(e.source) && inCluster.has(e.target));
  const degree = new Map<string, number>();
  for (const e of own) {
    degree.set(e.source, (degree.get(e.source) ?? 0) + 1);
    degree.set(e.target, (degree.get(e.target) ?? 0) + 1);
  }
  const shown = [...members]
    .sort((a, b) => (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1))
    .slice(0, maxNodes)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const pos = new Map<string, [number, number]>();
  const c = size / 2;
  const r = size / 2 - 14;
  shown.forEach((m, i) => {
    const a = (2 * Math.PI * i) / shown.length - Math.PI / 2;
    pos.set(m.id, [c + r * Math.cos(a), c + r * Math.sin(a)]);
  });
  const drawn = own.filter((e) => pos.has(e.source) && pos.has(e.target));
  const maxW = Math.max(1, ...drawn.map((e) => e.weight));
  // Dense clusters would turn into a solid disc; fade edges as their number grows.
  const opacity = Math.max(0.12, Math.min(0.45, 25 / Math.max(1, drawn.length)));
  const lines = drawn.map((e) => {
    const [x1, y1] = pos.get(e.source)!;
    const [x2, y2] = pos.get(e.target)!;
    return html`<line
      x1="${px(x1)}"
      y1="${px(y1)}"
      x2="${px(x2)}"
      y2="${px(y2)}"
      stroke="#6b7380"
      stroke-opacity="${opacity.toFixed(2)}"
      stroke-width="${px(0.6 + (2 * e.weight) / maxW)}"
      ><title>${e.source} – ${e.target}: ${e.kinds.join(', ')} (weight ${e.weight.toFixed(2)})</title></line
    >`;
  });
  const nodes = shown.map((m) => {
    const [x, y] = pos.get(m.id)!;
    return html`<circle
      cx="${px(x)}"
      cy="${px(y)}"
      r="5"
      fill="${LEVEL_COLOURS[m.level]}"
      stroke="#fff"
      stroke-width="1"
      ><title>${m.id} (${m.level}, ${degree.get(m.id) ?? 0} links)</title></circle
    >`;
  });
  const note =
    shown.length < members.length
      ? html`<figcaption>
          ${shown.length} best-connected of ${members.length} accounts, ${drawn.length} links shown
        </figcaption>`
      : html`<figcaption>
          ${members.length} accounts, ${drawn.length} links (hover for shared attributes)
        </figcaption>`;
  return chartFigure({
    kind: 'graph',
    width: size,
    height: size,
    label: 'Linkage among cluster members',
    body: [lines, nodes],
    after: note,
  });
}
