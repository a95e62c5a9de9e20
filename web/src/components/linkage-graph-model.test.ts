import { describe, expect, it } from 'vitest';
import { LEVEL_COLOURS, type GraphEdge, type GraphNode } from '../../../src/contracts/index.js';
import { linkColour, linkLabel } from './graph-style.js';
import { BACKBONE_LINKS, buildLinkageGraph, isDense, labelStart, nodeSize } from './linkage-graph-model.js';

function twoCommunities(): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const group of ['a', 'b']) {
    for (let i = 0; i < 12; i++) {
      nodes.push({
        id: `${group}${i}`,
        level: group === 'a' ? 'act' : 'monitor',
        score: 0.5,
        events: 10 + i * 10,
      });
      for (let j = 0; j < i; j++)
        edges.push({ source: `${group}${j}`, target: `${group}${i}`, kind: 'template', weight: 1 });
    }
  }
  edges.push({ source: 'a0', target: 'b0', kind: 'asn', weight: 0.1 });
  return { nodes, edges };
}

describe('buildLinkageGraph', () => {
  it('colours nodes by level, sizes them by events and colours edges by link kind', () => {
    const { nodes, edges } = twoCommunities();
    const { graph } = buildLinkageGraph(nodes, edges);
    expect(graph.order).toBe(24);
    expect(graph.getNodeAttribute('a3', 'color')).toBe(LEVEL_COLOURS.act);
    expect(graph.getNodeAttribute('b3', 'color')).toBe(LEVEL_COLOURS.monitor);
    expect(graph.getNodeAttribute('a11', 'size')).toBeGreaterThan(graph.getNodeAttribute('a1', 'size'));
    const bridge = graph.edges('a0', 'b0')[0]!;
    expect(graph.getEdgeAttribute(bridge, 'color')).toBe(linkColour('asn'));
  });

  it('lays linked accounts out closer to each other than to the other community', () => {
    const { nodes, edges } = twoCommunities();
    const { graph } = buildLinkageGraph(nodes, edges);
    const pos = (id: string) => graph.getNodeAttributes(id);
    const dist = (p: string, q: string) => Math.hypot(pos(p).x - pos(q).x, pos(p).y - pos(q).y);
    let within = 0;
    let across = 0;
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 12; j++) {
        if (i !== j) within += dist(`a${i}`, `a${j}`);
        across += dist(`a${i}`, `b${j}`);
      }
    expect(within / (12 * 11)).toBeLessThan(across / (12 * 12));
    graph.forEachNode((_n, a) => expect(Number.isFinite(a.x) && Number.isFinite(a.y)).toBe(true));
  });

  it('counts edges to accounts outside the graph instead of failing', () => {
    const { graph, dropped } = buildLinkageGraph(
      [{ id: 'x', level: 'none', score: 0, events: 1 }],
      [{ source: 'x', target: 'missing', kind: 'ip_prefix', weight: 1 }],
    );
    expect(graph.size).toBe(0);
    expect(dropped).toBe(1);
  });
});

describe('combined link kinds', () => {
  it('splits `a+b` edges into their kinds and colours them by the first', () => {
    const { graph } = buildLinkageGraph(
      [
        { id: 'x', level: 'act', score: 1, events: 5 },
        { id: 'y', level: 'act', score: 1, events: 5 },
      ],
      [{ source: 'x', target: 'y', kind: 'payment_fingerprint+template', weight: 2 }],
    );
    const edge = graph.edges()[0]!;
    expect(graph.getEdgeAttribute(edge, 'kinds')).toEqual(['payment_fingerprint', 'template']);
    expect(graph.getEdgeAttribute(edge, 'color')).toBe(linkColour('payment_fingerprint'));
    expect(linkLabel('payment_fingerprint+template')).toBe('payment fingerprint + prompt template');
  });
});

describe('dense clusters', () => {
  it("draws each account's strongest links instead of every link", () => {
    const nodes: GraphNode[] = Array.from({ length: 40 }, (_, i) => ({
      id: `n${i}`,
      level: 'act',
      score: 1,
      events: 5,
    }));
    const edges: GraphEdge[] = [];
    for (let i = 0; i < 40; i++)
      for (let j = i + 1; j < 40; j++)
        edges.push({ source: `n${i}`, target: `n${j}`, kind: 'template', weight: (i * 7 + j * 13) % 10 });
    const { graph, hiddenLinks } = buildLinkageGraph(nodes, edges);
    expect(graph.size).toBeLessThanOrEqual(40 * BACKBONE_LINKS);
    expect(graph.size + hiddenLinks).toBe(edges.length);
    graph.forEachNode((n) => expect(graph.degree(n)).toBeGreaterThanOrEqual(BACKBONE_LINKS));
    // Every account's single strongest link survives.
    for (let i = 0; i < 40; i++) {
      const mine = edges.filter((e) => e.source === `n${i}` || e.target === `n${i}`);
      const best = Math.max(...mine.map((e) => e.weight));
      const kept = graph.edges(`n${i}`).map((e) => graph.getEdgeAttribute(e, 'weight'));
      expect(kept).toContain(best);
    }
    expect(isDense(24, 133)).toBe(false);
  });
});

describe('nodeSize', () => {
  it('grows with the square root of events', () => {
    expect(nodeSize(0, 100)).toBe(3);
    expect(nodeSize(100, 100)).toBe(16);
    expect(nodeSize(25, 100)).toBeCloseTo(3 + 13 * 0.5);
  });
});

describe('labelStart', () => {
  it('keeps a label inside the canvas: right of the node, left of it near the right edge', () => {
    // An account id at 11 px is about 130 px wide; the canvas is 600 px.
    expect(labelStart(100, 5, 130, 600)).toBe(108);
    expect(labelStart(560, 5, 130, 600)).toBe(560 - 5 - 3 - 130);
    expect(labelStart(560, 5, 130, 600) + 130).toBeLessThanOrEqual(600);
    // Too wide for either side: starts at the left edge rather than before it.
    expect(labelStart(50, 5, 590, 600)).toBe(2);
  });
});
