import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import type louvainFn from 'graphology-communities-louvain';
import { seededRandom } from '../text/index.js';

/**
 * Two communities whose cut carries this share of the smaller one's link weight are one operator
 * that modularity split (a large homogeneous campaign has no natural sub-structure).
 */
export const MERGE_CUT_SHARE = 0.1;

interface WeightedEdge {
  source: string;
  target: string;
  weight: number;
}

/**
 * Re-joins communities that Louvain over-split, in place. Merges are made one at a time, the
 * most tightly bound pair first, and every later decision is taken on the groups as merged so
 * far: judged on the original communities instead, a small bridge community that is bound to
 * both a tight campaign and a big NAT community by a link or two would chain them into one.
 */
export function mergeOverSplit(community: Map<string, number>, edges: readonly WeightedEdge[]): void {
  const volume = new Map<number, number>();
  const cut = new Map<number, Map<number, number>>();
  const neighbours = (c: number): Map<number, number> => {
    let m = cut.get(c);
    if (!m) cut.set(c, (m = new Map<number, number>()));
    return m;
  };
  for (const e of edges) {
    const a = community.get(e.source)!;
    const b = community.get(e.target)!;
    volume.set(a, (volume.get(a) ?? 0) + e.weight);
    volume.set(b, (volume.get(b) ?? 0) + e.weight);
    if (a === b) continue;
    neighbours(a).set(b, (neighbours(a).get(b) ?? 0) + e.weight);
    neighbours(b).set(a, (neighbours(b).get(a) ?? 0) + e.weight);
  }
  const into = new Map<number, number>();
  for (;;) {
    const candidates: [share: number, a: number, b: number][] = [];
    for (const [a, m] of cut)
      for (const [b, w] of m) {
        if (a >= b) continue;
        const share = w / Math.min(volume.get(a)!, volume.get(b)!);
        if (share >= MERGE_CUT_SHARE) candidates.push([share, a, b]);
      }
    if (!candidates.length) break;
    candidates.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    // Disjoint pairs only in one pass: a group that has just grown is judged again next pass.
    const changed = new Set<number>();
    for (const [, x, y] of candidates) {
      if (changed.has(x) || changed.has(y)) continue;
      // The smaller group joins the larger (ties: the lower id joins the higher), which keeps
      // the neighbour maps to rewrite short.
      const [from, to] = volume.get(x)! > volume.get(y)! ? [y, x] : [x, y];
      volume.set(to, volume.get(to)! + volume.get(from)!);
      volume.delete(from);
      const toMap = neighbours(to);
      toMap.delete(from);
      for (const [c, w] of cut.get(from)!) {
        if (c === to) continue;
        toMap.set(c, (toMap.get(c) ?? 0) + w);
        const cMap = cut.get(c)!;
        cMap.delete(from);
        cMap.set(to, (cMap.get(to) ?? 0) + w);
      }
      cut.delete(from);
      into.set(from, to);
      changed.add(from);
      changed.add(to);
    }
  }
  const root = (c: number): number => {
    while (into.has(c)) c = into.get(c)!;
    return c;
  };
  for (const [node, c] of community) community.set(node, root(c));
}

const louvain = createRequire(import.meta.url)('graphology-communities-louvain') as typeof louvainFn.default;
/** Communities smaller than this are not re-partitioned: too small to hide a group. */
const MIN_SPLIT_SIZE = 4;
/** How many times a community's parts are themselves re-partitioned. */
const MAX_SPLIT_DEPTH = 3;

/**
 * Modularity has a resolution limit: in a large graph, a small tight group joined to a big
 * community by a link or two is absorbed into it (a handful of harvesters sharing one client
 * set-up, folded into a university NAT's community through one account on the same cloud
 * block). Each community is partitioned again on its own, where the limit is far smaller, and a
 * part whose links to the rest of its community carry under MERGE_CUT_SHARE of its own volume
 * (or of the rest's) is split off: the same criterion that re-merges over-split communities, so
 * the two steps agree on what one group is.
 */
export function splitWeaklyAttached(
  community: Map<string, number>,
  edges: readonly WeightedEdge[],
  seed: number,
): void {
  const adjacency = adjacencyOf(edges);
  const members = membersOf(community);
  let nextId = Math.max(-1, ...members.keys()) + 1;
  const queue: [id: number, depth: number][] = [...members.keys()].sort((a, b) => a - b).map((c) => [c, 0]);
  while (queue.length) {
    const [c, depth] = queue.shift()!;
    const nodes = members.get(c)!;
    if (nodes.length < MIN_SPLIT_SIZE || depth >= MAX_SPLIT_DEPTH) continue;
    const partition = partsOf(nodes, adjacency, seed);
    if (!partition) continue;
    const kept: string[] = [];
    for (const p of partition.parts) {
      if (weaklyAttached(p, partition.total)) {
        const id = nextId++;
        members.set(id, p.nodes);
        for (const n of p.nodes) community.set(n, id);
        queue.push([id, depth + 1]);
      } else kept.push(...p.nodes);
    }
    if (kept.length < nodes.length) {
      members.set(c, kept);
      if (kept.length) queue.push([c, depth + 1]);
    }
  }
}

/** Smallest group of accounts told apart as an operator of its own (as PEELED_GROUP_MIN). */
const OPERATOR_MIN = 3;
/** Share of a community's members that must have set-up links inside it for it to be split on them. */
const SET_UP_BOUND_SHARE = 0.8;

/**
 * Two operators that copied one public recipe (the same prompt templates and wrapper phrasings)
 * share values with each other as they do among themselves, and the links the recipe makes
 * across can weigh as much as a set-up's: modularity then keeps them in one community and the
 * merge step re-joins what it split (small seed 86286: a 13-account harvest inside a 194-account
 * hydra, 63 links between them on templates, wrappers and a free-mail domain only). Each
 * community whose members are nearly all bound by set-up (`setUp`: the part of each edge's weight
 * that is not shareable, see linkage.ts) is partitioned again on set-up alone, and a part of at
 * least OPERATOR_MIN accounts whose set-up links to the rest are weak by the split criterion
 * becomes a community of its own. A group bound by a recipe alone has no set-up to be split on
 * and is left as it is, as are stragglers without set-up links.
 */
export function separateOperators(
  community: Map<string, number>,
  edges: readonly WeightedEdge[],
  setUp: readonly number[],
  seed: number,
): void {
  const adjacency = adjacencyOf(
    edges.flatMap((e, i) =>
      setUp[i]! > 0 ? [{ source: e.source, target: e.target, weight: setUp[i]! }] : [],
    ),
  );
  const members = membersOf(community);
  let nextId = Math.max(-1, ...members.keys()) + 1;
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    const nodes = members.get(c)!;
    if (nodes.length < 2 * OPERATOR_MIN) continue;
    const inside = new Set(nodes);
    const bound = nodes.filter((n) => (adjacency.get(n) ?? []).some(([m]) => inside.has(m))).length;
    if (bound < SET_UP_BOUND_SHARE * nodes.length) continue;
    const partition = partsOf(nodes, adjacency, seed);
    if (!partition) continue;
    let left = nodes.length;
    for (const p of partition.parts) {
      if (p.nodes.length < OPERATOR_MIN || left - p.nodes.length < OPERATOR_MIN) continue;
      if (!weaklyAttached(p, partition.total)) continue;
      const id = nextId++;
      for (const n of p.nodes) community.set(n, id);
      left -= p.nodes.length;
    }
  }
}

/** What a link shares: the operator's recipe (a template, a wrapper phrasing), a customer's billing identity (a card, a mail address or company domain). */
export interface LinkTie {
  recipe: boolean;
  customer: boolean;
}

/**
 * An ordinary customer's team (one card, one company mail domain) one of whose members also runs
 * an operator's harvesting recipe: the colleagues are tied to that member by the customer's
 * billing identity and to nobody else in the community, the member to the operator's other
 * accounts by the recipe. Modularity keeps the tight little team with the harvest (medium seed 3:
 * three colleagues of one blended customer in the mixed-account cluster, by a card and a mail
 * domain). Members that share no recipe with anyone in their community, and whose links into the
 * rest of it all go to one member who shares the recipe there, each link carrying the customer's
 * identity, are split off as a group of their own when the rest is a group too: the harvest is
 * the recipe's accounts. A group whose members hold no recipe (a sign-up wave, a proxy pool) is
 * left as it is, as are members tied to their one link by anything but a customer's identity (an
 * app's deployments on one network and system prompt).
 */
export function detachColleagues(
  community: Map<string, number>,
  edges: readonly WeightedEdge[],
  ties: readonly LinkTie[],
): void {
  const inside = new Map<string, [string, LinkTie][]>();
  const link = (a: string, b: string, t: LinkTie): void => {
    let list = inside.get(a);
    if (!list) inside.set(a, (list = []));
    list.push([b, t]);
  };
  edges.forEach((e, i) => {
    const c = community.get(e.source);
    if (c === undefined || c !== community.get(e.target)) return;
    link(e.source, e.target, ties[i]!);
    link(e.target, e.source, ties[i]!);
  });
  const sharesRecipe = (n: string): boolean => (inside.get(n) ?? []).some(([, t]) => t.recipe);
  const members = membersOf(community);
  let nextId = Math.max(-1, ...members.keys()) + 1;
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    const nodes = members.get(c)!;
    const without = new Set(nodes.filter((n) => !sharesRecipe(n)));
    if (without.size === 0 || without.size === nodes.length) continue;
    const seen = new Set<string>();
    for (const start of [...without].sort()) {
      if (seen.has(start)) continue;
      seen.add(start);
      const part = [start];
      const attached = new Set<string>();
      let asCustomer = true;
      for (let i = 0; i < part.length; i++)
        for (const [m, t] of inside.get(part[i]!) ?? []) {
          if (!without.has(m)) {
            attached.add(m);
            asCustomer &&= t.customer;
          } else if (!seen.has(m)) {
            seen.add(m);
            part.push(m);
          }
        }
      // Attached to one recipe member only (a part linked to two or more is part of the group),
      // as its customer, and the rest a group of its own: two accounts that share a template
      // are no harvest to take a customer's team away from.
      if (attached.size !== 1 || !asCustomer || nodes.length - part.length < OPERATOR_MIN) continue;
      const id = nextId++;
      for (const n of part) community.set(n, id);
    }
  }
}

type Adjacency = Map<string, [string, number][]>;

function adjacencyOf(edges: readonly WeightedEdge[]): Adjacency {
  const adjacency: Adjacency = new Map();
  const link = (a: string, b: string, w: number): void => {
    let list = adjacency.get(a);
    if (!list) adjacency.set(a, (list = []));
    list.push([b, w]);
  };
  for (const e of edges) {
    link(e.source, e.target, e.weight);
    link(e.target, e.source, e.weight);
  }
  return adjacency;
}

function membersOf(community: ReadonlyMap<string, number>): Map<number, string[]> {
  const members = new Map<number, string[]>();
  for (const [node, c] of community) {
    let list = members.get(c);
    if (!list) members.set(c, (list = []));
    list.push(node);
  }
  return members;
}

/** A part of a re-partitioned community: its nodes, its link volume and the weight of its links out. */
interface Part {
  nodes: string[];
  volume: number;
  cut: number;
}

/**
 * One community's accounts partitioned again on their own links (Louvain, where the resolution
 * limit is far smaller than in the whole graph): the parts in id order and the total volume.
 * Undefined when the accounts have no link among them or form one part.
 */
function partsOf(
  nodes: readonly string[],
  adjacency: Adjacency,
  seed: number,
): { parts: Part[]; total: number } | undefined {
  const inside = new Set(nodes);
  const graph = new UndirectedGraph();
  for (const n of nodes) graph.addNode(n);
  for (const n of nodes)
    for (const [m, w] of adjacency.get(n) ?? [])
      if (n < m && inside.has(m)) graph.mergeEdge(n, m, { weight: w });
  if (graph.size === 0) return undefined;
  const part = louvain(graph, { getEdgeWeight: 'weight', rng: seededRandom(seed) });
  const volume = new Map<number, number>();
  const internal = new Map<number, number>();
  let total = 0;
  graph.forEachEdge((_e, attr, s, t) => {
    const w = (attr as { weight: number }).weight;
    const ps = part[s]!;
    const pt = part[t]!;
    volume.set(ps, (volume.get(ps) ?? 0) + w);
    volume.set(pt, (volume.get(pt) ?? 0) + w);
    if (ps === pt) internal.set(ps, (internal.get(ps) ?? 0) + w);
    total += 2 * w;
  });
  const parts = new Map<number, string[]>();
  for (const n of nodes) {
    const p = part[n]!;
    let list = parts.get(p);
    if (!list) parts.set(p, (list = []));
    list.push(n);
  }
  if (parts.size < 2) return undefined;
  return {
    parts: [...parts.keys()]
      .sort((a, b) => a - b)
      .map((p) => {
        const vol = volume.get(p) ?? 0;
        return { nodes: parts.get(p)!, volume: vol, cut: vol - 2 * (internal.get(p) ?? 0) };
      }),
    total,
  };
}

/** The split criterion: a part whose links out carry under MERGE_CUT_SHARE of its own volume or the rest's. */
const weaklyAttached = (p: Part, total: number): boolean =>
  p.cut < MERGE_CUT_SHARE * Math.min(p.volume, total - p.volume);

/** Groups at least this large keep only members linked to this many of the others (their k-core). */
const MIN_TRIM_SIZE = 6;
const CORE_LINKS = 3;

/**
 * Trims each large group to its core (deleting the rest from `community`): members linked to at
 * least CORE_LINKS others who are themselves in the core. An operator's accounts share its cards,
 * clients and sign-up networks with many of each other; strangers who happen to sit on the same
 * cloud range or NAT as one member hang on by a link or two, alone or as a little satellite.
 */
export function trimToCore(community: Map<string, number>, edges: readonly WeightedEdge[]): void {
  const size = new Map<number, number>();
  for (const c of community.values()) size.set(c, (size.get(c) ?? 0) + 1);
  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    const c = community.get(e.source);
    if (c === undefined || c !== community.get(e.target) || size.get(c)! < MIN_TRIM_SIZE) continue;
    for (const [a, b] of [
      [e.source, e.target],
      [e.target, e.source],
    ] as const) {
      let list = neighbours.get(a);
      if (!list) neighbours.set(a, (list = []));
      list.push(b);
    }
  }
  const degree = new Map<string, number>();
  const peel: string[] = [];
  for (const [n, c] of community) {
    if (size.get(c)! < MIN_TRIM_SIZE) continue;
    const d = new Set(neighbours.get(n) ?? []).size;
    degree.set(n, d);
    if (d < CORE_LINKS) peel.push(n);
  }
  const removed = new Set<string>();
  while (peel.length) {
    const n = peel.pop()!;
    if (removed.has(n)) continue;
    removed.add(n);
    for (const m of new Set(neighbours.get(n) ?? [])) {
      if (removed.has(m)) continue;
      const d = degree.get(m)! - 1;
      degree.set(m, d);
      if (d < CORE_LINKS) peel.push(m);
    }
  }
  for (const n of removed) community.delete(n);
  keepPeeledGroups(community, removed, neighbours);
}

/** Peeled members this many or more, all linked to each other, stand as a group of their own. */
const PEELED_GROUP_MIN = 3;

/**
 * A tight little group peeled off a large one is not a stranger: three harvesters sharing one
 * client set-up, folded into a big campaign's community by a template they also use, were
 * trimmed for having only two links inside it, yet alone they would have been a group. Peeled
 * members that are all linked to each other (each to at least min(CORE_LINKS, size - 1) of the
 * others; at most MIN_TRIM_SIZE - 1 of them, as a core that small is never trimmed) get a
 * community of their own; loose chains and pairs stay out, as before.
 */
function keepPeeledGroups(
  community: Map<string, number>,
  removed: ReadonlySet<string>,
  neighbours: ReadonlyMap<string, readonly string[]>,
): void {
  let nextId = Math.max(-1, ...community.values()) + 1;
  const seen = new Set<string>();
  for (const start of [...removed].sort()) {
    if (seen.has(start)) continue;
    const component = [start];
    seen.add(start);
    for (let i = 0; i < component.length; i++)
      for (const m of neighbours.get(component[i]!) ?? [])
        if (removed.has(m) && !seen.has(m)) {
          seen.add(m);
          component.push(m);
        }
    if (component.length < PEELED_GROUP_MIN || component.length >= MIN_TRIM_SIZE) continue;
    const inside = new Set(component);
    const need = Math.min(CORE_LINKS, component.length - 1);
    const tight = component.every(
      (n) => new Set((neighbours.get(n) ?? []).filter((m) => inside.has(m))).size >= need,
    );
    if (!tight) continue;
    const id = nextId++;
    for (const n of component) community.set(n, id);
  }
}
