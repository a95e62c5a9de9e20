import Graph from 'graphology';
import { circular } from 'graphology-layout';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { GraphEdge, GraphNode } from '../api/types.js';
import { LEVEL_COLOURS, linkColour, linkKinds } from './graphStyle.js';

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  level: GraphNode['level'];
  score: number;
  events: number;
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

export function isDense(nodes: number, edges: number): boolean {
  return edges > 300 && edges > 6 * nodes;
}

/**
 * Builds the cluster's linkage graph with a force-directed layout. Edges naming an account the
 * graph lacks are counted in `dropped` rather than thrown away silently.
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
  const maxWeight = Math.max(1e-9, ...edges.map((e) => e.weight));
  let dropped = 0;
  for (const e of edges) {
    if (!graph.hasNode(e.source) || !graph.hasNode(e.target) || e.source === e.target) {
      dropped += 1;
      continue;
    }
    graph.addEdge(e.source, e.target, {
      kind: e.kind,
      kinds: linkKinds(e.kind),
      weight: e.weight,
      size: 0.5 + 2.5 * (e.weight / maxWeight),
      color: linkColour(e.kind),
    });
  }
  // A campaign sharing one template links everyone to everyone; thin, translucent edges keep
  // the accounts (the nodes) readable in such hairballs.
  if (isDense(graph.order, graph.size)) {
    graph.updateEachEdgeAttributes((_e, a) => ({ ...a, size: a.size * 0.4, color: `${a.color}38` }));
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
  return { graph, dropped };
}
