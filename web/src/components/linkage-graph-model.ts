import Graph from 'graphology';
import { circular } from 'graphology-layout';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { LEVEL_COLOURS, type GraphEdge, type GraphNode } from '../../../src/contracts/index.js';
import { groupAccounts, type AccountGroup } from './account-groups.js';
import { linkColour, linkKinds, linkLabel } from './graph-style.js';

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  level: GraphNode['level'];
  score: number;
  events: number;
  /** Set on a node that stands for a group of accounts (the grouped view of a large cluster). */
  group?: AccountGroup;
}

export interface EdgeAttributes {
  kind: string;
  /** The single kinds a combined edge stands for. */
  kinds: string[];
  weight: number;
  size: number;
  color: string;
}

/** Node radius grows with the square root of events so one heavy account does not hide the rest. */
export function nodeSize(events: number, maxEvents: number): number {
  if (maxEvents <= 0) return 4;
  return 3 + 13 * Math.sqrt(Math.max(0, events) / maxEvents);
}

/** How many links each account keeps when a cluster is too dense to draw every link. */
export const BACKBONE_LINKS = 4;

export function isDense(nodes: number, edges: number): boolean {
  return edges > 300 && edges > 6 * nodes;
}

/** An edge stays when it is among the `k` strongest links of either of its accounts. */
export function strongestLinks(edges: GraphEdge[], k: number): GraphEdge[] {
  const byAccount = new Map<string, GraphEdge[]>();
  for (const e of edges)
    for (const id of [e.source, e.target]) {
      const list = byAccount.get(id);
      if (list) list.push(e);
      else byAccount.set(id, [e]);
    }
  const keep = new Set<GraphEdge>();
  for (const list of byAccount.values())
    for (const e of list.sort((a, b) => b.weight - a.weight).slice(0, k)) keep.add(e);
  return edges.filter((e) => keep.has(e));
}

/**
 * Builds the cluster's linkage graph with a force-directed layout. Edges naming an account the
 * graph lacks are counted in `dropped`, and links left out of a dense cluster's backbone in
 * `hiddenLinks`, rather than vanishing silently.
 */
export function buildLinkageGraph(nodes: GraphNode[], edges: GraphEdge[]) {
  const graph = new Graph<NodeAttributes, EdgeAttributes>({ type: 'undirected', multi: true });
  const maxEvents = Math.max(0, ...nodes.map((n) => n.events));
  for (const n of nodes) {
    if (graph.hasNode(n.id)) continue;
    graph.addNode(n.id, {
      x: 0,
      y: 0,
      size: nodeSize(n.events, maxEvents),
      color: LEVEL_COLOURS[n.level] ?? LEVEL_COLOURS.none,
      label: n.id,
      level: n.level,
      score: n.score,
      events: n.events,
    });
  }
  const valid = edges.filter(
    (e) => graph.hasNode(e.source) && graph.hasNode(e.target) && e.source !== e.target,
  );
  const dropped = edges.length - valid.length;
  // A campaign sharing one template links everyone to everyone; drawing each account's strongest
  // links keeps the structure and the accounts readable instead of a solid hairball.
  const drawn = isDense(graph.order, valid.length) ? strongestLinks(valid, BACKBONE_LINKS) : valid;
  const maxWeight = Math.max(1e-9, ...drawn.map((e) => e.weight));
  for (const e of drawn) {
    graph.addEdge(e.source, e.target, {
      kind: e.kind,
      kinds: linkKinds(e.kind),
      weight: e.weight,
      size: 0.5 + 2.5 * (e.weight / maxWeight),
      color: linkColour(e.kind),
    });
  }
  circular.assign(graph);
  if (graph.order > 1 && graph.size > 0) {
    // Fewer iterations for big clusters keeps the page responsive; the shape settles early.
    const iterations = graph.order > 1000 ? 40 : graph.order > 250 ? 80 : 200;
    forceAtlas2.assign(graph, {
      iterations,
      getEdgeWeight: 'weight',
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 1000 },
    });
  }
  return { graph, dropped, hiddenLinks: valid.length - drawn.length };
}

/** A group's node: area grows with its member count, as an account's grows with its events. */
export function groupSize(members: number, maxMembers: number): number {
  return 5 + 17 * Math.sqrt(Math.max(1, members) / Math.max(1, maxMembers));
}

/** "13 accounts · one payment fingerprint", or for the rest "30 accounts · no shared payment fingerprint". */
export function groupLabel(g: AccountGroup, kind: string): string {
  const n = g.members.length;
  return `${n} ${n === 1 ? 'account' : 'accounts'} · ${g.kind === null ? 'no shared' : 'one'} ${linkLabel(kind)}`;
}

/**
 * The grouped view: one node per group of accounts joined by `kind` (labelled with its size),
 * edges counting the account links between groups. `kind` names what the rest group lacks.
 */
export function buildGroupedGraph(nodes: GraphNode[], edges: GraphEdge[], kind: string) {
  const { groups, edges: between } = groupAccounts(nodes, edges, kind);
  const graph = new Graph<NodeAttributes, EdgeAttributes>({ type: 'undirected', multi: true });
  const maxMembers = Math.max(1, ...groups.map((g) => g.members.length));
  for (const g of groups) {
    graph.addNode(g.id, {
      x: 0,
      y: 0,
      size: groupSize(g.members.length, maxMembers),
      color: LEVEL_COLOURS[g.level] ?? LEVEL_COLOURS.none,
      label: groupLabel(g, kind),
      level: g.level,
      score: Math.max(0, ...g.members.map((m) => m.score)),
      events: g.members.reduce((s, m) => s + m.events, 0),
      group: g,
    });
  }
  const asEdges = between.map((e): GraphEdge => ({
    source: e.source,
    target: e.target,
    kind: e.kinds.join('+'),
    weight: e.links,
  }));
  const drawn =
    isDense(graph.order, asEdges.length) || asEdges.length > 6 * graph.order
      ? strongestLinks(asEdges, BACKBONE_LINKS)
      : asEdges;
  const maxWeight = Math.max(1, ...drawn.map((e) => e.weight));
  for (const e of drawn)
    graph.addEdge(e.source, e.target, {
      kind: e.kind,
      kinds: linkKinds(e.kind),
      weight: e.weight,
      size: 0.5 + 4.5 * Math.sqrt(e.weight / maxWeight),
      color: linkColour(e.kind),
    });
  circular.assign(graph);
  if (graph.order > 1 && graph.size > 0)
    forceAtlas2.assign(graph, {
      iterations: 200,
      getEdgeWeight: 'weight',
      settings: { ...forceAtlas2.inferSettings(graph), adjustSizes: true },
    });
  return { graph, groups, hiddenLinks: asEdges.length - drawn.length };
}

const LABEL_GAP = 3;
const EDGE_MARGIN = 2;

/**
 * Where a node's label starts: right of the node as sigma draws it, or left of it when the text
 * would run past the canvas's right edge (a label cut at the edge names no account), and never
 * before the left edge.
 */
export function labelStart(x: number, size: number, textWidth: number, canvasWidth: number): number {
  const right = x + size + LABEL_GAP;
  if (right + textWidth <= canvasWidth - EDGE_MARGIN) return right;
  return Math.max(EDGE_MARGIN, x - size - LABEL_GAP - textWidth);
}

/** sigma's disc-node label, placed by labelStart so labels stay inside the canvas. */
export function drawLabelInside(
  context: CanvasRenderingContext2D,
  data: { x: number; y: number; size: number; label?: string | null; color?: string },
  settings: { labelSize: number; labelFont: string; labelWeight: string; labelColor: { color?: string } },
): void {
  if (!data.label) return;
  context.fillStyle = settings.labelColor.color ?? '#000';
  context.font = `${settings.labelWeight} ${settings.labelSize}px ${settings.labelFont}`;
  const width = context.measureText(data.label).width;
  const x = labelStart(data.x, data.size, width, context.canvas.clientWidth || context.canvas.width);
  const y = Math.min(
    Math.max(data.y + settings.labelSize / 3, settings.labelSize),
    (context.canvas.clientHeight || context.canvas.height) - EDGE_MARGIN,
  );
  context.fillText(data.label, x, y);
}
