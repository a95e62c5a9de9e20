import { describe, expect, it } from 'vitest';
import { seededRandom } from '../text/index.js';
import {
  detachColleagues,
  type LinkTie,
  mergeOverSplit,
  separateOperators,
  splitWeaklyAttached,
  trimToCore,
} from './community-merge.js';

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

  describe('operators that share only a recipe', () => {
    /** Edges with their set-up weight (the part not shareable between operators). */
    type SetUpEdge = Edge & { setUp: number };
    const withSetUp = (edges: readonly Edge[], share: number): SetUpEdge[] =>
      edges.map((e) => ({ ...e, setUp: e.weight * share }));
    const run = (edges: readonly SetUpEdge[]): Map<string, number> => {
      const community = new Map<string, number>();
      for (const e of edges) for (const n of [e.source, e.target]) community.set(n, 0);
      separateOperators(
        community,
        edges,
        edges.map((e) => e.setUp),
        1,
      );
      return community;
    };
    const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => name(prefix, i));

    it('tells apart two set-up-bound operators whose links across are a shared recipe', () => {
      // A 60-account operator bound by its proxies and clients, a 13-account one bound by its
      // own request configuration, and 60 links between them on public templates alone: as
      // heavy as either's own links, so no weight-based split tells them apart (small seed 86286).
      const edges = [...withSetUp(mixed('hy', 60, 10, 3), 0.6), ...withSetUp(clique('sl', 13, 1.9), 0.2)];
      const r = seededRandom(9);
      for (let k = 0; k < 60; k++)
        edges.push({
          source: name('sl', k % 13),
          target: name('hy', Math.floor(r() * 60)),
          weight: 1.2,
          setUp: 0,
        });
      // One chance set-up coincidence across (a client version both happen to use).
      edges.push({ source: name('sl', 0), target: name('hy', 1), weight: 1.3, setUp: 0.12 });
      const community = run(edges);
      const sl = new Set(ids('sl', 13).map((n) => community.get(n)));
      const hy = new Set(ids('hy', 60).map((n) => community.get(n)));
      expect(sl.size).toBe(1);
      expect(hy.size).toBe(1);
      expect([...sl][0]).not.toBe([...hy][0]);
    });

    it('leaves a group bound by a recipe alone whole, despite chance set-up among a few', () => {
      const edges = withSetUp(mixed('rc', 30, 8, 4), 0);
      // Two trios that happen to share a network and a client version.
      for (const [x, y, z] of [
        [0, 1, 2],
        [10, 11, 12],
      ] as const)
        for (const [a, b] of [
          [x, y],
          [x, z],
          [y, z],
        ] as const)
          edges.push({ source: name('rc', a), target: name('rc', b), weight: 1.4, setUp: 0.5 });
      const community = run(edges);
      expect(new Set(ids('rc', 30).map((n) => community.get(n))).size).toBe(1);
    });

    it('keeps one operator whole when its set-up runs across the parts modularity finds', () => {
      const edges = [...withSetUp(clique('a', 8, 1.5), 0.6), ...withSetUp(clique('b', 8, 1.5), 0.6)];
      for (let i = 0; i < 8; i++)
        for (let j = 0; j < 3; j++)
          edges.push({ source: name('a', i), target: name('b', (i + j) % 8), weight: 1.2, setUp: 0.5 });
      const community = run(edges);
      expect(new Set([...ids('a', 8), ...ids('b', 8)].map((n) => community.get(n))).size).toBe(1);
    });
  });

  describe("a harvesting account's colleagues", () => {
    /** Edges flagged by whether they share the operator's recipe and a customer's identity. */
    type RecipeEdge = Edge & LinkTie;
    const run = (edges: readonly RecipeEdge[]): Map<string, number> => {
      const community = new Map<string, number>();
      for (const e of edges) for (const n of [e.source, e.target]) community.set(n, 0);
      detachColleagues(
        community,
        edges,
        edges.map(({ recipe, customer }) => ({ recipe, customer })),
      );
      return community;
    };
    const recipeClique = (prefix: string, n: number, recipe: boolean): RecipeEdge[] =>
      clique(prefix, n, 1.6).map((e) => ({ ...e, recipe, customer: !recipe }));
    /** n accounts on one customer's card, tied to `member` as its customer (else by a network and system prompt). */
    const teamOn = (member: string, team: string, n: number, customer = true): RecipeEdge[] => [
      ...recipeClique(team, n, false),
      ...Array.from({ length: n }, (_, i) => ({
        source: member,
        target: name(team, i),
        weight: 1.8,
        recipe: false,
        customer,
      })),
    ];

    it('splits off the team that shares a card with one harvesting account and no recipe with anyone', () => {
      // Six blended accounts of one operator bound by its wrapper phrasings; one of them is a
      // developer whose three colleagues share the company card and mail domain (medium seed 3).
      const edges = [...recipeClique('op', 6, true), ...teamOn(name('op', 0), 'team', 3)];
      const community = run(edges);
      const op = new Set(Array.from({ length: 6 }, (_, i) => community.get(name('op', i))));
      const team = new Set(Array.from({ length: 3 }, (_, i) => community.get(name('team', i))));
      expect(op.size).toBe(1);
      expect(team.size).toBe(1);
      expect([...team][0]).not.toBe([...op][0]);
    });

    it('keeps accounts tied by set-up to two or more recipe accounts, and groups holding no recipe', () => {
      // Proxy-pool members without a recipe of their own, linked to several harvesting accounts.
      const edges = [...recipeClique('op', 6, true), ...teamOn(name('op', 0), 'pool', 3)];
      edges.push({
        source: name('pool', 1),
        target: name('op', 3),
        weight: 1.2,
        recipe: false,
        customer: true,
      });
      const community = run(edges);
      expect(new Set([...community.values()]).size).toBe(1);
      // A team one of whose members shares a rare template with one stranger: no harvest to
      // take the team away from, the team stays with its member.
      const pair = run([
        ...teamOn(name('dev', 0), 'team', 3),
        { source: name('dev', 0), target: name('stranger', 0), weight: 1.6, recipe: true, customer: false },
      ]);
      expect(new Set([...pair.values()]).size).toBe(1);
      // An app's deployments tied to one harvesting account by a network and system prompt, not
      // as its customer: not told apart on this alone.
      const app = run([...recipeClique('op', 6, true), ...teamOn(name('op', 0), 'app', 3, false)]);
      expect(new Set([...app.values()]).size).toBe(1);
      // A sign-up wave whose accounts share set-up only: nothing to tell a team from the rest.
      const wave = run(recipeClique('wave', 8, false));
      expect(new Set([...wave.values()]).size).toBe(1);
    });
  });
});
