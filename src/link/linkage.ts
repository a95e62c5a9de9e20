import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import type louvainFn from 'graphology-communities-louvain';
import type { AccountRecord, ClusterLink } from '../contracts/index.js';
import { fmix32, hash32, ipPrefix, seededRandom } from '../text/index.js';
import type { EntityStats } from '../features/index.js';
import {
  detachColleagues,
  mergeOverSplit,
  separateOperators,
  splitWeaklyAttached,
  trimToCore,
} from './community-merge.js';
import type { SyncLink } from './synchronised-activity.js';

// The package is CommonJS whose typings declare an ES default export; load it as CommonJS.
const louvain = createRequire(import.meta.url)('graphology-communities-louvain') as typeof louvainFn.default;

export type LinkKind =
  | 'payment_fingerprint'
  | 'email_hash'
  | 'email_domain'
  | 'signup_ip'
  | 'signup_ip_prefix'
  | 'signup_window'
  | 'ip_prefix'
  | 'asn'
  | 'user_agent'
  | 'system_prompt'
  | 'template'
  | 'elicitation_wrapper'
  | 'request_shape'
  | 'sync_activity';

/**
 * How much one shared value of each kind says that two accounts are run by one operator,
 * before rarity. No single shared network attribute reaches the link threshold alone, so a
 * university NAT or a cloud ASN links nobody; a shared payment instrument nearly does.
 */
export const LINK_WEIGHTS: Record<LinkKind, number> = {
  payment_fingerprint: 1.6,
  email_hash: 1.6,
  signup_ip: 0.9,
  signup_ip_prefix: 0.5,
  signup_window: 0.4,
  email_domain: 0.5,
  ip_prefix: 0.7,
  asn: 0.25,
  user_agent: 0.3,
  system_prompt: 0.8,
  template: 0.8,
  elicitation_wrapper: 0.8,
  request_shape: 0.6,
  // Activity synchronised far beyond both accounts' routines (see synchronised-activity.ts) is
  // one client driving both: it links on its own.
  sync_activity: 1.0,
};
// Several distinct rare templates, wrapper phrasings or request configurations shared by two
// accounts add up (one generator or one client set-up behind both), up to these caps; other kinds
// count their best shared value once.
const ADDITIVE_CAPS: Partial<Record<LinkKind, number>> = {
  template: 1.6,
  elicitation_wrapper: 1.6,
  request_shape: 1.2,
};
// Prompt openers, prompt endings and wrapper phrasings are three readings of one prompt skeleton
// (a wrapper is often also a template's prefix, and an operator rotating wrappers puts some
// before its tasks and some after): a pair counts the strongest reading, never their sum.
// Summed, the two ends of one popular recipe that another operator happens to use as well
// counted twice, and linked the two operators' accounts.
const SKELETON_KINDS: ReadonlySet<LinkKind> = new Set(['template', 'elicitation_wrapper']);
// What two operators can hold in common without sharing anything of their set-up: a prompt
// recipe (templates, wrapper phrasings: public ones are copied widely), a free-mail domain, a
// large provider's network. Everything else (cards, addresses, networks, clients, request
// configurations, system prompts, activity in step) is the set-up one operator's accounts share.
const SHAREABLE_KINDS: ReadonlySet<LinkKind> = new Set([...SKELETON_KINDS, 'email_domain', 'asn']);
// Who pays and signs in: one customer's accounts (a team on one card and company domain).
const CUSTOMER_KINDS: ReadonlySet<LinkKind> = new Set(['payment_fingerprint', 'email_hash', 'email_domain']);
// A /24 signed up from and a /24 used are two readings of where an account lives: a person signs
// up from the network they then use. A pair counts the stronger, never their sum: summed (with
// the AS), one cloud /24 a customer shared with one attacker linked the two (small seed 102).
const NETWORK_KINDS: ReadonlySet<LinkKind> = new Set(['signup_ip_prefix', 'ip_prefix']);
/** The reading of the skeleton a template value is: its opener or its ending. */
const readingOf = (kind: LinkKind, value: string): string =>
  kind === 'template' ? `template:${value.startsWith('suffix:') ? 'suffix' : 'prefix'}` : kind;
export const LINK_THRESHOLD = 1.0;
/** Share of a pair's wrapper phrasings (their union) they must share for wrappers to link them. */
const WRAPPER_SET_SHARE = 0.5;
const FULL_PAIRS_UP_TO = 40;
const RING_OFFSETS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233];
const SIGNUP_WINDOW_MS = 30 * 60_000;

export interface Attribute {
  kind: LinkKind;
  value: string;
}

/** The linkable attributes of an account's sign-up record. */
export function recordAttributes(record: AccountRecord): Attribute[] {
  const out: Attribute[] = [];
  if (record.payment_fingerprint)
    out.push({ kind: 'payment_fingerprint', value: record.payment_fingerprint });
  if (record.email_hash) out.push({ kind: 'email_hash', value: record.email_hash });
  if (record.email_domain) out.push({ kind: 'email_domain', value: record.email_domain.toLowerCase() });
  if (record.signup_ip) {
    out.push({ kind: 'signup_ip', value: record.signup_ip });
    const p = ipPrefix(record.signup_ip);
    if (p) out.push({ kind: 'signup_ip_prefix', value: p });
  }
  const created = record.created_at ? Date.parse(record.created_at) : NaN;
  if (Number.isFinite(created)) {
    out.push({
      kind: 'signup_window',
      value: new Date(Math.floor(created / SIGNUP_WINDOW_MS) * SIGNUP_WINDOW_MS).toISOString(),
    });
  }
  return out;
}

/** The linkable attributes of one account: from its sign-up record and its dominant traffic traits. */
export function accountAttributes(record: AccountRecord | undefined, s: EntityStats): Attribute[] {
  const out = record ? recordAttributes(record) : [];
  const dominant = (top: [string, number][], share: number, max: number, of = s.n): string[] =>
    top
      .filter(([, c]) => c >= share * of && c >= 2)
      .slice(0, max)
      .map(([k]) => k);
  for (const v of dominant(s.ipPrefixes.top(), 0.1, 4)) out.push({ kind: 'ip_prefix', value: v });
  for (const v of dominant(s.asns.top(), 0.3, 2)) out.push({ kind: 'asn', value: v });
  for (const v of dominant(s.userAgents.top(), 0.5, 1)) out.push({ kind: 'user_agent', value: v });
  for (const v of dominant(s.systemPrompts.top(), 0.3, 1)) out.push({ kind: 'system_prompt', value: v });
  // Every skeleton the account re-uses, not only its main one: operators rotate through a set of
  // wrappers, and sharing several rare ones is the mark of one generator.
  // Skeletons are counted once per prompt (a tool loop's resends are one): a share of prompts.
  for (const v of dominant(s.prefixes.top(), 0.03, 6, s.prompts))
    out.push({ kind: 'template', value: `prefix:${v}` });
  for (const v of dominant(s.suffixes.top(), 0.03, 6, s.prompts))
    out.push({ kind: 'template', value: `suffix:${v}` });
  // Every reasoning-elicitation sentence the account re-uses, as a share of its eliciting prompts,
  // not of all its traffic: an operator harvesting through accounts that also carry ordinary use
  // runs one recipe with a few fixed wrapper phrasings, a few per cent of each account's traffic
  // (below the template sketches' resolution) but most of its reasoning requests. A person
  // asking for steps in their own words rarely repeats one sentence, and common phrasings are
  // held by many accounts, so rarity weighs them down. Asked mostly by a system prompt, the
  // sentence is that prompt's, which system_prompt already links.
  if (s.elicit >= s.systemElicit) {
    for (const [v, c] of s.elicitSentences.top(6))
      if (c >= 3 && c >= 0.1 * s.elicit) out.push({ kind: 'elicitation_wrapper', value: v });
  }
  // Every configuration the account uses regularly: a client that rotates max_tokens over a
  // fixed set has several, and two accounts sharing several rare ones run one set-up.
  for (const v of dominant(s.requestShapes.top(), 0.1, 4)) out.push({ kind: 'request_shape', value: v });
  return out;
}

/**
 * Every traffic value the account used at all, dominant or not (its sketches' keys): what the
 * rarity of a value is counted on. Counted only on the accounts for which a value is dominant,
 * a task opener or wrapper phrasing that dozens of accounts send now and then looks rare,
 * because few send it often, and two light accounts that each sent it twice look linked.
 */
export function accountValuesUsed(s: EntityStats): Attribute[] {
  const out: Attribute[] = [];
  const all = (kind: LinkKind, top: [string, number][], prefix = ''): void => {
    for (const [v] of top) out.push({ kind, value: prefix + v });
  };
  all('ip_prefix', s.ipPrefixes.top());
  all('asn', s.asns.top());
  all('user_agent', s.userAgents.top());
  all('system_prompt', s.systemPrompts.top());
  all('template', s.prefixes.top(), 'prefix:');
  all('template', s.suffixes.top(), 'suffix:');
  all('elicitation_wrapper', s.elicitSentences.top());
  all('request_shape', s.requestShapes.top());
  return out;
}

export interface LinkageResult {
  /** Community id per linked account (accounts with no link above threshold are absent). */
  community: Map<string, number>;
  /** Edge list of the pruned graph, for cluster pages. */
  edges: { source: string; target: string; weight: number; kinds: LinkKind[] }[];
  /** How many accounts hold each attribute value. */
  holders: Map<string, number>;
}

/** One attribute value's key (kind and value): the key linkage counts holders under. */
export const attrKey = (a: Attribute): string => `${a.kind}\u0000${a.value}`;

/**
 * Links accounts that share rare attributes, weighted by rarity (log N/k over log N), keeps
 * pairs whose combined weight clears the threshold, and finds communities with Louvain.
 * Large groups are sampled with a deterministic ring so the candidate count stays linear.
 */
export function linkAccounts(
  attributes: Map<string, Attribute[]>,
  seed = 1,
  synchronised: readonly SyncLink[] = [],
  used?: ReadonlyMap<string, readonly Attribute[]>,
): LinkageResult {
  const index = indexAttributes(attributes, used);
  const setUp: number[] = [];
  const edges = candidateEdges(index, new PairWeigher(index, synchronised), seed, setUp);
  return { community: communities(edges, setUp, seed), edges, holders: index.holders };
}

/**
 * Accounts and attribute values numbered once (accounts in id order), so the pair loop compares
 * small integer arrays instead of building keys and sets for every pair: it runs for every
 * candidate pair of the population. Same pairs, in the same order, same sums.
 */
interface AttributeIndex {
  ids: string[];
  keyKinds: LinkKind[];
  /** What each value's weight adds up with: its kind, or for templates its reading. */
  keyReadings: string[];
  /** Accounts holding each value. */
  groups: number[][];
  /** Values held by each account. */
  accountKeys: Int32Array[];
  /** How much sharing each value weighs (kind weight × rarity). */
  keyWeight: Float64Array;
  /**
   * The wrapper phrasings each account used (numbered, sorted): its elicitation_wrapper values and,
   * where `used` is given, every phrasing it sent that another account sent too. An operator's
   * light account sends its whole set but re-uses only part of it.
   */
  wrapperSets: Int32Array[];
  holders: Map<string, number>;
}

function indexAttributes(
  attributes: Map<string, Attribute[]>,
  used?: ReadonlyMap<string, readonly Attribute[]>,
): AttributeIndex {
  const ids = [...attributes.keys()].sort();
  const N = Math.max(ids.length, 2);
  const keyIds = new Map<string, number>();
  const keyNames: string[] = [];
  const keyKinds: LinkKind[] = [];
  const keyReadings: string[] = [];
  const groups: number[][] = [];
  const accountKeys = ids.map((id, account) => {
    const attrs = attributes.get(id)!;
    const out = new Int32Array(attrs.length);
    attrs.forEach((a, j) => {
      const key = attrKey(a);
      let k = keyIds.get(key);
      if (k === undefined) {
        k = keyNames.length;
        keyIds.set(key, k);
        keyNames.push(key);
        keyKinds.push(a.kind);
        keyReadings.push(readingOf(a.kind, a.value));
        groups.push([]);
      }
      groups[k]!.push(account);
      out[j] = k;
    });
    return out;
  });
  const holders = new Map<string, number>();
  keyNames.forEach((key, k) => holders.set(key, groups[k]!.length));
  // Rarity counts every account that used a value, not only those it links (see accountValuesUsed).
  if (used)
    for (const [id, values] of used) {
      const linked = new Set((attributes.get(id) ?? []).map(attrKey));
      for (const key of new Set(values.map(attrKey)))
        if (!linked.has(key) && holders.has(key)) holders.set(key, holders.get(key)! + 1);
    }
  const rarity = (key: string): number => Math.max(0, Math.log(N / (holders.get(key) ?? N)) / Math.log(N));
  const keyWeight = Float64Array.from(keyNames, (key, k) => LINK_WEIGHTS[keyKinds[k]!] * rarity(key));
  // Phrasings numbered, with how many accounts sent each (re-used or not).
  const phrasings = new Map<string, { id: number; senders: number }>();
  const sent = ids.map((id) => {
    const values = new Set<string>();
    for (const a of [...attributes.get(id)!, ...(used?.get(id) ?? [])])
      if (a.kind === 'elicitation_wrapper') values.add(a.value);
    for (const v of values) {
      const p = phrasings.get(v);
      if (p) p.senders++;
      else phrasings.set(v, { id: phrasings.size, senders: 1 });
    }
    return values;
  });
  // An account's set: the phrasings it re-uses, and those it sent that others sent too. A
  // sentence only it ever wrote is its own words, part of no one's set.
  const wrapperSets = ids.map((id, account) => {
    const reused = new Set(
      attributes.get(id)!.flatMap((a) => (a.kind === 'elicitation_wrapper' ? [a.value] : [])),
    );
    const set: number[] = [];
    for (const v of sent[account]!) {
      const p = phrasings.get(v)!;
      if (reused.has(v) || p.senders >= 2) set.push(p.id);
    }
    return Int32Array.from(set).sort();
  });
  return { ids, keyKinds, keyReadings, groups, accountKeys, keyWeight, wrapperSets, holders };
}

/** How strongly two accounts are linked: what they share, by kind, and their synchronised activity. */
class PairWeigher {
  /** The kinds of the last weighed pair, in first-seen order. */
  readonly kinds: LinkKind[] = [];
  /** The part of the last weighed pair's weight that is set-up, not shareable (SHAREABLE_KINDS). */
  setUp = 0;
  /** The readings of the last weighed pair (kinds; templates by opener or ending). */
  private readonly readings: string[] = [];
  /** The best (or, for additive kinds, capped summed) weight per reading of `readings`. */
  private readonly weights: number[] = [];
  readonly syncPairs = new Set<number>();

  constructor(
    private readonly index: AttributeIndex,
    synchronised: readonly SyncLink[],
  ) {
    const accountIndex = new Map(index.ids.map((id, i) => [id, i]));
    for (const l of synchronised) {
      const x = accountIndex.get(l.a);
      const y = accountIndex.get(l.b);
      if (x !== undefined && y !== undefined) this.syncPairs.add(this.pairOf(x, y));
    }
  }

  /** One number per unordered pair of accounts. */
  pairOf(x: number, y: number): number {
    const n = this.index.ids.length;
    return x < y ? x * n + y : y * n + x;
  }

  weigh(a: number, b: number): number {
    const { accountKeys, keyKinds, keyReadings, keyWeight, wrapperSets } = this.index;
    const { kinds, readings, weights } = this;
    kinds.length = 0;
    readings.length = 0;
    weights.length = 0;
    const bKeys = accountKeys[b]!;
    let sharedWrappers = 0;
    for (const key of accountKeys[a]!) {
      if (!bKeys.includes(key)) continue;
      const kind = keyKinds[key]!;
      if (kind === 'elicitation_wrapper') sharedWrappers++;
      const reading = keyReadings[key]!;
      const w = keyWeight[key]!;
      let slot = readings.indexOf(reading);
      const prev = slot < 0 ? 0 : weights[slot]!;
      const cap = ADDITIVE_CAPS[kind];
      if (cap === undefined && !(w > prev)) continue;
      if (slot < 0) {
        slot = readings.length;
        readings.push(reading);
        weights.push(0);
        if (!kinds.includes(kind)) kinds.push(kind);
      }
      weights[slot] = cap !== undefined ? Math.min(cap, prev + w) : w;
    }
    // One operator's accounts rotate through its whole set of wrapper phrasings; two operators
    // who each picked a few popular public phrasings share some of them, not most. Wrappers link
    // a pair only when the phrasings they both sent are at least half of those the two sent
    // together. Sets are read from what was sent, not only re-used: blended customers re-use
    // 3-5 of their operator's ~8 phrasings each, sending the rest once or twice (medium seed 2:
    // six such accounts, each pair re-using 1-3 of 3-7 in common, were left without a link).
    if (sharedWrappers > 0 && !mostlyShared(wrapperSets[a]!, wrapperSets[b]!)) {
      const slot = readings.indexOf('elicitation_wrapper');
      if (slot >= 0) weights[slot] = 0;
      const k = kinds.indexOf('elicitation_wrapper');
      if (k >= 0) kinds.splice(k, 1);
    }
    let weight = 0;
    if (this.syncPairs.has(this.pairOf(a, b))) {
      kinds.push('sync_activity');
      weight += LINK_WEIGHTS.sync_activity;
    }
    let skeleton = 0;
    let network = 0;
    let shareable = 0;
    readings.forEach((reading, i) => {
      const kind = kindOfReading(reading);
      if (SKELETON_KINDS.has(kind)) skeleton = Math.max(skeleton, weights[i]!);
      else if (NETWORK_KINDS.has(kind)) network = Math.max(network, weights[i]!);
      else {
        weight += weights[i]!;
        if (SHAREABLE_KINDS.has(kind)) shareable += weights[i]!;
      }
    });
    this.setUp = weight - shareable + network;
    return weight + skeleton + network;
  }
}

const kindOfReading = (reading: string): LinkKind => reading.split(':')[0] as LinkKind;

/** Whether two sorted sets have at least WRAPPER_SET_SHARE of their union in common. */
function mostlyShared(x: Int32Array, y: Int32Array): boolean {
  let common = 0;
  for (let i = 0, j = 0; i < x.length && j < y.length;) {
    if (x[i]! === y[j]!) {
      common++;
      i++;
      j++;
    } else if (x[i]! < y[j]!) i++;
    else j++;
  }
  return common >= WRAPPER_SET_SHARE * (x.length + y.length - common);
}

/**
 * The pairs whose weight clears the threshold, among the candidates: synchronised pairs, every
 * pair sharing a small group's value, and a deterministic ring through each large group.
 */
function candidateEdges(
  index: AttributeIndex,
  weigher: PairWeigher,
  seed: number,
  /** Filled with each edge's set-up weight (PairWeigher.setUp), in edge order. */
  setUp: number[],
): LinkageResult['edges'] {
  const { ids, groups, keyWeight } = index;
  const seen = new Set<number>();
  const edges: LinkageResult['edges'] = [];
  const consider = (a: number, b: number): void => {
    if (a === b) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    const pair = weigher.pairOf(x, y);
    if (seen.has(pair)) return;
    seen.add(pair);
    const weight = weigher.weigh(x, y);
    if (weight >= LINK_THRESHOLD) {
      edges.push({ source: ids[x]!, target: ids[y]!, weight, kinds: [...weigher.kinds] });
      setUp.push(weigher.setUp);
    }
  };
  for (const pair of weigher.syncPairs) consider(Math.floor(pair / ids.length), pair % ids.length);
  const ringHash = (account: number): number => hash32(ids[account]!, fmix32(seed));
  for (let k = 0; k < groups.length; k++) {
    const members = groups[k]!;
    if (members.length < 2) continue;
    // A value shared by most of the population cannot link anyone; skip its quadratic work.
    if (keyWeight[k]! < 0.05) continue;
    if (members.length <= FULL_PAIRS_UP_TO) {
      for (let i = 0; i < members.length; i++)
        for (let j = i + 1; j < members.length; j++) consider(members[i]!, members[j]!);
    } else {
      const hashes = new Map(members.map((m) => [m, ringHash(m)]));
      const order = [...members].sort((p, q) => hashes.get(p)! - hashes.get(q)!);
      for (let i = 0; i < order.length; i++) {
        for (const off of RING_OFFSETS)
          if (off < order.length) consider(order[i]!, order[(i + off) % order.length]!);
      }
    }
  }
  return edges;
}

/** Louvain communities of the linked accounts, then split, merged and trimmed (see community-merge.ts). */
function communities(
  edges: LinkageResult['edges'],
  setUp: readonly number[],
  seed: number,
): Map<string, number> {
  const graph = new UndirectedGraph();
  for (const e of edges) {
    if (!graph.hasNode(e.source)) graph.addNode(e.source);
    if (!graph.hasNode(e.target)) graph.addNode(e.target);
    graph.addEdge(e.source, e.target, { weight: e.weight });
  }
  const community = new Map<string, number>();
  if (graph.order > 0) {
    const mapping = louvain(graph, { getEdgeWeight: 'weight', rng: seededRandom(seed) });
    for (const [node, c] of Object.entries(mapping)) community.set(node, c);
    splitWeaklyAttached(community, edges, seed);
    mergeOverSplit(community, edges);
    // Merging judges all of a pair's weight; operators that share only a recipe are told apart
    // on their set-up alone, after it (otherwise the merge would join them again).
    separateOperators(community, edges, setUp, seed);
    trimToCore(community, edges);
    // After the trim: a team split off before it would escape the trim a large group gets.
    detachColleagues(
      community,
      edges,
      edges.map((e) => ({
        recipe: e.kinds.some((k) => SKELETON_KINDS.has(k)),
        customer: e.kinds.some((k) => CUSTOMER_KINDS.has(k)),
      })),
    );
  }
  return community;
}

/** The attribute values that hold a cluster together, most shared first, and its synchronised activity. */
export function clusterLinks(
  members: readonly string[],
  attributes: Map<string, Attribute[]>,
  holders: Map<string, number>,
  synchronised: readonly SyncLink[] = [],
  limit = 12,
  recordOnlyHolders?: ReadonlyMap<string, number>,
  /** A value always listed, however many others rank above it (an institution's mail domain). */
  keep?: Attribute,
): ClusterLink[] {
  const counts = new Map<string, { kind: LinkKind; value: string; accounts: number }>();
  for (const id of members) {
    for (const a of attributes.get(id) ?? []) {
      const key = attrKey(a);
      const c = counts.get(key);
      if (c) c.accounts++;
      else counts.set(key, { kind: a.kind, value: a.value, accounts: 1 });
    }
  }
  const ranked = [...counts.entries()]
    .filter(([, c]) => c.accounts >= 2)
    // Rank by how specific the value is to the cluster, then by how many members share it.
    .sort(
      ([ka, a], [kb, b]) =>
        b.accounts / (holders.get(kb) ?? 1) - a.accounts / (holders.get(ka) ?? 1) || b.accounts - a.accounts,
    );
  const shown = ranked.slice(0, limit);
  const kept = keep && ranked.slice(limit).find(([k]) => k === attrKey(keep));
  if (kept) shown.push(kept);
  const links = shown.map(([, c]): ClusterLink => ({
    kind: c.kind,
    value: c.value,
    accounts: c.accounts,
    holders: populationHolders(c.kind, c.value, holders, recordOnlyHolders) || c.accounts,
  }));
  const sync = synchronisedWithin(members, synchronised);
  if (sync) links.unshift(sync);
  return links;
}

/**
 * Accounts of the population holding a value, for the link's `holders`. A network prefix counts
 * both as sign-up and as traffic prefix (an upper bound of the accounts using it either way), as
 * an indicator matches it both ways.
 */
function populationHolders(
  kind: LinkKind,
  value: string,
  holders: Map<string, number>,
  recordOnly: ReadonlyMap<string, number> | undefined,
): number {
  const kinds: LinkKind[] = NETWORK_KINDS.has(kind) ? [...NETWORK_KINDS] : [kind];
  return kinds.reduce((n, k) => {
    const key = attrKey({ kind: k, value });
    return n + (holders.get(key) ?? 0) + (recordOnly?.get(key) ?? 0);
  }, 0);
}

/** The cluster's synchronised pairs as one link: how many members, pairs, and how far beyond routine. */
function synchronisedWithin(
  members: readonly string[],
  synchronised: readonly SyncLink[],
): ClusterLink | undefined {
  const inCluster = new Set(members);
  const pairs = synchronised.filter((l) => inCluster.has(l.a) && inCluster.has(l.b));
  if (pairs.length === 0) return undefined;
  const accounts = new Set(pairs.flatMap((l) => [l.a, l.b])).size;
  const lifts = pairs.map((l) => l.evidence.lift).sort((x, y) => x - y);
  const hours = pairs.map((l) => l.evidence.coincident).sort((x, y) => x - y);
  const mid = (v: number[]): number => v[Math.floor(v.length / 2)]!;
  return {
    kind: 'sync_activity',
    value: `${pairs.length} pairs of members active within 5 minutes of each other in a median ${mid(hours).toFixed(1)} hours each, ${mid(lifts).toFixed(1)}× what their own daily routines predict`,
    accounts,
  };
}
