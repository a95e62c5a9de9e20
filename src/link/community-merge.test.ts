import { describe, expect, it } from 'vitest';
import { seededRandom } from '../text/index.js';
import { mergeOverSplit, splitWeaklyAttached, trimToCore } from './community-merge.js';

type Edge = { source: string; target: string; weight: number };
const name = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, '0')}`;

/** A big, well-mixed community (a NAT's accounts, linked at random) of n accounts. */
function mixed(prefix: string, n: number, degree: number, seed: number): Edge[] {
  const r = seededRandom(seed);
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < degree / 2; k++) {
      const j = Math.floor(r() * n);
      if (j !== i) edges.push({ source: name(prefix, i), target: name(prefix, j), weight: 1.1 });
    }
  return edges;
}

/** Every pair of n accounts linked (a small operator sharing a client set-up). */
function clique(prefix: string, n: number, weight: number): Edge[] {
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) edges.push({ source: name(prefix, i), target: name(prefix, j), weight });
  return edges;
}

describe('community refinement', () => {
  it('splits a tight group that Louvain folded into a big community through one bridge', () => {
    const edges = [
      ...mixed('nat', 600, 8, 3),
      ...clique('op', 10, 1.2),
      { source: name('op', 0), target: name('nat', 7), weight: 1.2 },
    ];
    // As modularity's resolution limit leaves it: everyone in one community.
    const community = new Map<string, number>();
    for (const e of edges) for (const n of [e.source, e.target]) community.set(n, 0);
    splitWeaklyAttached(community, edges, 1);
    mergeOverSplit(community, edges);
    const op = new Set(Array.from({ length: 10 }, (_, i) => community.get(name('op', i))));
    expect(op.size).toBe(1);
    const [opId] = [...op];
    const withOp = [...community].filter(([, c]) => c === opId).map(([n]) => n);
    expect(withOp.sort()).toEqual(Array.from({ length: 10 }, (_, i) => name('op', i)));
    // The well-mixed community is not cut into pieces by the re-partition.
    const nat = new Set(Array.from({ length: 600 }, (_, i) => community.get(name('nat', i))));
    expect(nat.size).toBe(1);
  });

  it('re-merges the parts of one group that share a tenth or more of their links', () => {
    // Two halves of one operator, each internally dense, half of each one's links across.
    const edges = [...clique('a', 8, 1), ...clique('b', 8, 1)];
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 4; j++)
        edges.push({ source: name('a', i), target: name('b', (i + j) % 8), weight: 1 });
    const community = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      community.set(name('a', i), 0);
      community.set(name('b', i), 1);
    }
    mergeOverSplit(community, edges);
    expect(new Set(community.values()).size).toBe(1);
  });

  it('does not chain a tight group into a big community through a small bridge community', () => {
    const edges = [
      ...mixed('nat', 300, 8, 5),
      ...clique('op', 10, 1.2),
      // A bridge account linked once to the operator and twice into the NAT community.
      { source: 'bridge', target: name('op', 0), weight: 1.1 },
      { source: 'bridge', target: name('nat', 1), weight: 1.1 },
      { source: 'bridge', target: name('nat', 2), weight: 1.1 },
    ];
    const community = new Map<string, number>();
    for (let i = 0; i < 300; i++) community.set(name('nat', i), 0);
    for (let i = 0; i < 10; i++) community.set(name('op', i), 1);
    community.set('bridge', 2);
    mergeOverSplit(community, edges);
    expect(community.get(name('op', 0))).not.toBe(community.get(name('nat', 0)));
    expect(community.get('bridge')).toBe(community.get(name('nat', 0)));
  });

  it('trims strangers hanging on by a link or two, alone or as a satellite, and keeps small groups whole', () => {
    const edges = [
      ...clique('op', 10, 1.2),
      // Two strangers on one member's cloud range, linked to it and to each other.
      { source: 's1', target: name('op', 0), weight: 1.1 },
      { source: 's2', target: name('op', 0), weight: 1.1 },
      { source: 's1', target: 's2', weight: 1.1 },
      ...clique('trio', 3, 1.2),
    ];
    const community = new Map<string, number>();
    for (let i = 0; i < 10; i++) community.set(name('op', i), 0);
    community.set('s1', 0);
    community.set('s2', 0);
    for (let i = 0; i < 3; i++) community.set(name('trio', i), 1);
    trimToCore(community, edges);
    expect(community.has('s1')).toBe(false);
    expect(community.has('s2')).toBe(false);
    expect(Array.from({ length: 10 }, (_, i) => community.get(name('op', i)))).toEqual(new Array(10).fill(0));
    expect(Array.from({ length: 3 }, (_, i) => community.get(name('trio', i)))).toEqual([1, 1, 1]);
  });

  it('keeps a tight trio peeled off a large group as a group of its own, and drops a loose chain', () => {
    // Small seed 7: three harvesters sharing one client set-up (three rare request shapes), one of
    // them also sharing a template with a hydra account, were folded into the hydra's community
    // and trimmed from it for having two links inside it; alone they are a group.
    const edges = [
      ...clique('op', 10, 1.2),
      ...clique('trio', 3, 1.47),
      { source: name('trio', 0), target: name('op', 3), weight: 1.1 },
      // A chain of three strangers hanging on one member: no two ends linked.
      { source: 'c1', target: name('op', 5), weight: 1.1 },
      { source: 'c1', target: 'c2', weight: 1.1 },
      { source: 'c2', target: 'c3', weight: 1.1 },
    ];
    const community = new Map<string, number>();
    for (const n of [...Array.from({ length: 10 }, (_, i) => name('op', i)), 'c1', 'c2', 'c3'])
      community.set(n, 0);
    for (let i = 0; i < 3; i++) community.set(name('trio', i), 0);
    trimToCore(community, edges);
    expect(Array.from({ length: 10 }, (_, i) => community.get(name('op', i)))).toEqual(new Array(10).fill(0));
    const trio = Array.from({ length: 3 }, (_, i) => community.get(name('trio', i)));
    expect(trio[0]).toBeDefined();
    expect(trio[0]).not.toBe(0);
    expect(new Set(trio).size).toBe(1);
    for (const c of ['c1', 'c2', 'c3']) expect(community.has(c)).toBe(false);
  });
});
