import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode } from '../../../src/contracts/index.js';
import { componentsOf, groupAccounts, groupingKinds, MAX_GROUPS } from './account-groups.js';
import { buildGroupedGraph, buildLinkageGraph } from './linkage-graph-model.js';

/**
 * A hydra-shaped cluster as the engine reports it: 150 accounts that all share a prompt template
 * (thousands of links), ten payment cards of 14 accounts each and ten accounts on no shared card.
 */
function hydra(): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const card = (i: number): number | null => (i < 140 ? i % 10 : null);
  for (let i = 0; i < 150; i++)
    nodes.push({ id: `acct_${i}`, level: i === 3 ? 'act' : 'review', score: i / 150, events: 100 + i });
  const edges: GraphEdge[] = [];
  for (let i = 0; i < 150; i++)
    for (let j = i + 1; j < 150; j++) {
      const sameCard = card(i) !== null && card(i) === card(j);
      edges.push({
        source: `acct_${i}`,
        target: `acct_${j}`,
        kind: sameCard ? 'payment_fingerprint+template' : 'template',
        weight: sameCard ? 2 : 1,
      });
    }
  return { nodes, edges };
}

describe('a large cluster grouped by shared value', () => {
  it('finds the kind that splits the cluster, not the template everyone shares', () => {
    const { nodes, edges } = hydra();
    const splits = groupingKinds(nodes, edges);
    expect(splits.map((s) => s.kind)).toEqual(['payment_fingerprint']);
    expect(splits[0]).toMatchObject({ groups: 10, covered: 140 });
  });

  it('puts every account in exactly one group, the accounts on no shared card in one rest group', () => {
    const { nodes, edges } = hydra();
    const { groups } = groupAccounts(nodes, edges, 'payment_fingerprint');
    expect(groups).toHaveLength(11);
    const ids = groups.flatMap((g) => g.members.map((m) => m.id));
    expect(new Set(ids).size).toBe(150);
    expect(ids).toHaveLength(150);
    const rest = groups.find((g) => g.kind === null)!;
    expect(rest.members.map((m) => m.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `acct_${140 + i}`).sort(),
    );
    // The group holding acct_3 (card 3) is at act: a group shows its most severe member.
    expect(groups.find((g) => g.members.some((m) => m.id === 'acct_3'))!.level).toBe('act');
  });

  it('draws a handful of group nodes where the account view draws thousands of links', () => {
    const { nodes, edges } = hydra();
    const full = buildLinkageGraph(nodes, edges);
    expect(full.graph.order).toBe(150);
    const grouped = buildGroupedGraph(nodes, edges, 'payment_fingerprint');
    expect(grouped.graph.order).toBe(11);
    expect(grouped.graph.order).toBeLessThanOrEqual(MAX_GROUPS + 1);
    expect(grouped.graph.size).toBeLessThanOrEqual(55);
    // Links between two card groups count the template links between their members: 14 × 14.
    const a = grouped.groups.find((g) => g.members.some((m) => m.id === 'acct_0'))!.id;
    const b = grouped.groups.find((g) => g.members.some((m) => m.id === 'acct_1'))!.id;
    const between = grouped.graph.edges(a, b);
    expect(between).toHaveLength(1);
    expect(grouped.graph.getEdgeAttribute(between[0]!, 'weight')).toBe(196);
    expect(grouped.graph.getNodeAttribute(a, 'label')).toBe('14 accounts · one payment fingerprint');
    expect(grouped.graph.getNodeAttribute('group:rest', 'label')).toBe(
      '10 accounts · no shared payment fingerprint',
    );
    for (const id of grouped.graph.nodes()) {
      const { x, y } = grouped.graph.getNodeAttributes(id);
      expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    }
  });

  it('offers no grouping when one kind joins nearly everyone or splits into too many groups', () => {
    const nodes: GraphNode[] = Array.from({ length: 50 }, (_, i) => ({
      id: `a${i}`,
      level: 'none' as const,
      score: 0,
      events: 1,
    }));
    const pairs: GraphEdge[] = [];
    for (let i = 0; i < 50; i += 2)
      pairs.push({ source: `a${i}`, target: `a${i + 1}`, kind: 'signup_window', weight: 1 });
    for (let i = 1; i < 50; i++) pairs.push({ source: 'a0', target: `a${i}`, kind: 'template', weight: 1 });
    expect(componentsOf(nodes, pairs, 'signup_window')).toHaveLength(25);
    expect(groupingKinds(nodes, pairs)).toEqual([]);
  });
});
