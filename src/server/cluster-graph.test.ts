import { describe, expect, it } from 'vitest';
import type { AccountFinding, AccountRecord, ClusterFinding } from '../contracts/index.js';
import { clusterGraph } from './cluster-graph.js';

const cluster = (ids: string[], links: ClusterFinding['links']): ClusterFinding => ({
  cluster_id: 'c',
  account_ids: ids,
  score: 0.9,
  level: 'act',
  events: 10,
  links,
  signals: [],
});
const finding = (id: string, score: number): AccountFinding => ({
  account_id: id,
  score,
  level: 'review',
  events: 3,
  signals: [],
});

describe('clusterGraph', () => {
  it("uses the engine's linkage edges when it has them", () => {
    const g = clusterGraph(
      cluster(['a', 'b', 'c'], []),
      (id) => finding(id, 0.5),
      () => undefined,
      [
        { source: 'a', target: 'b', weight: 1.8, kinds: ['payment_fingerprint', 'template'] },
        { source: 'b', target: 'z', weight: 1, kinds: ['asn'] },
      ],
    );
    expect(g.nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(g.edges).toEqual([
      { source: 'a', target: 'b', kind: 'payment_fingerprint+template', weight: 1.8 },
    ]);
  });

  it('otherwise joins members whose records share the linked value', () => {
    const records: Record<string, AccountRecord> = {
      a: { account_id: 'a', payment_fingerprint: 'fp1' },
      b: { account_id: 'b', payment_fingerprint: 'fp1' },
      c: { account_id: 'c', payment_fingerprint: 'fp2' },
      d: { account_id: 'd' },
    };
    const g = clusterGraph(
      cluster(['a', 'b', 'c', 'd'], [{ kind: 'payment_fingerprint', value: 'fp1', accounts: 2 }]),
      (id) => (id === 'd' ? undefined : finding(id, id === 'c' ? 0.9 : 0.4)),
      (id) => records[id],
    );
    expect(g.nodes[0]).toMatchObject({ id: 'c', score: 0.9 });
    expect(g.nodes.find((n) => n.id === 'd')).toMatchObject({ level: 'none', score: 0 });
    expect(g.edges).toEqual([{ source: 'a', target: 'b', kind: 'payment_fingerprint', weight: 1.6 }]);
  });

  it('shows at most 400 members of a huge cluster, and says so', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `a${i}`);
    const g = clusterGraph(
      cluster(ids, [{ kind: 'asn', value: '1', accounts: 1000 }]),
      (id) => finding(id, 0.5),
      () => undefined,
    );
    expect(g.nodes).toHaveLength(400);
    expect(g.truncated).toBe(true);
    const ids400 = new Set(g.nodes.map((n) => n.id));
    expect(g.edges.every((e) => ids400.has(e.source) && ids400.has(e.target))).toBe(true);
    expect(g.edges.length).toBeLessThanOrEqual(3 * 400);
  });
});
