import { LEVELS, type GraphEdge, type GraphNode, type Level } from '../../../src/contracts/index.js';
import { linkKinds } from './graph-style.js';

/**
 * A large cluster drawn account by account is a tangle (a campaign of 150 accounts sharing one
 * template has thousands of links). Grouped by one kind of shared attribute, it shows its
 * structure: each group is the accounts one kind of link joins (in practice the accounts sharing
 * one value: a payment card, an e-mail domain), and the links between groups are counted.
 */

/** Above this many accounts the dashboard draws groups first; every account stays one click away. */
export const GROUP_ABOVE = 60;
/** A kind that splits a cluster into more groups than this is no easier to read than the accounts. */
export const MAX_GROUPS = 20;

export interface AccountGroup {
  id: string;
  /** The kind of link that joins the members; null for the accounts no such link joins. */
  kind: string | null;
  members: GraphNode[];
  /** The most severe level among the members. */
  level: Level;
}

export interface GroupEdge {
  source: string;
  target: string;
  /** How many account-to-account links run between the two groups. */
  links: number;
  /** The kinds of those links, most frequent first. */
  kinds: string[];
}

const severity = (l: Level): number => LEVELS.indexOf(l);

/** Accounts joined by links of one kind, as connected components of two or more accounts. */
export function componentsOf(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  kind: string,
): string[][] {
  const ids = new Set(nodes.map((n) => n.id));
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    // Path halving keeps repeated lookups short on a 400-account cluster.
    let y = x;
    while (parent.get(y) !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const e of edges) {
    if (!ids.has(e.source) || !ids.has(e.target) || !linkKinds(e.kind).includes(kind)) continue;
    for (const id of [e.source, e.target]) if (!parent.has(id)) parent.set(id, id);
    const a = find(e.source);
    const b = find(e.target);
    if (a !== b) parent.set(a, b);
  }
  const byRoot = new Map<string, string[]>();
  for (const n of nodes) {
    if (!parent.has(n.id)) continue;
    const root = find(n.id);
    const list = byRoot.get(root);
    if (list) list.push(n.id);
    else byRoot.set(root, [n.id]);
  }
  return [...byRoot.values()].filter((c) => c.length >= 2).sort((a, b) => b.length - a.length);
}

export interface KindSplit {
  kind: string;
  groups: number;
  /** Accounts in one of the groups. */
  covered: number;
}

/**
 * The kinds that split the cluster into readable groups: at least two groups and at most
 * MAX_GROUPS, none holding 90 % of the accounts (a kind everyone shares says nothing about structure).
 * Best first: the most groups that cover most accounts.
 */
export function groupingKinds(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): KindSplit[] {
  const kinds = new Set(edges.flatMap((e) => linkKinds(e.kind)));
  const splits: KindSplit[] = [];
  for (const kind of kinds) {
    const comps = componentsOf(nodes, edges, kind);
    if (comps.length < 2 || comps.length > MAX_GROUPS) continue;
    if (comps[0]!.length >= 0.9 * nodes.length) continue;
    splits.push({ kind, groups: comps.length, covered: comps.reduce((s, c) => s + c.length, 0) });
  }
  const value = (s: KindSplit) => (s.covered / Math.max(1, nodes.length)) * Math.log(s.groups);
  return splits.sort((a, b) => value(b) - value(a) || (a.kind < b.kind ? -1 : 1));
}

/** The cluster's accounts in groups joined by `kind`, the rest in one group, and the links between groups. */
export function groupAccounts(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  kind: string,
): { groups: AccountGroup[]; edges: GroupEdge[] } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const groupOf = new Map<string, string>();
  const groups: AccountGroup[] = [];
  const add = (id: string, k: string | null, ids: string[]) => {
    const members = ids.map((m) => byId.get(m)!).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const level = members.reduce<Level>((l, m) => (severity(m.level) > severity(l) ? m.level : l), 'none');
    groups.push({ id, kind: k, members, level });
    for (const m of ids) groupOf.set(m, id);
  };
  componentsOf(nodes, edges, kind).forEach((c, i) => add(`group:${i + 1}`, kind, c));
  const rest = nodes.filter((n) => !groupOf.has(n.id)).map((n) => n.id);
  if (rest.length > 0) add('group:rest', null, rest);

  const between = new Map<string, { links: number; kinds: Map<string, number> }>();
  for (const e of edges) {
    const a = groupOf.get(e.source);
    const b = groupOf.get(e.target);
    if (!a || !b || a === b) continue;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const entry = between.get(key) ?? { links: 0, kinds: new Map<string, number>() };
    entry.links += 1;
    for (const k of linkKinds(e.kind)) entry.kinds.set(k, (entry.kinds.get(k) ?? 0) + 1);
    between.set(key, entry);
  }
  const groupEdges = [...between].map(([key, v]): GroupEdge => {
    const [source, target] = key.split('\u0000') as [string, string];
    return {
      source,
      target,
      links: v.links,
      kinds: [...v.kinds].sort((x, y) => y[1] - x[1]).map(([k]) => k),
    };
  });
  return { groups, edges: groupEdges };
}
