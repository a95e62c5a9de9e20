import { ATLAS, type AccountRecord } from '../contracts/index.js';
import type { Detector, DetectorResult } from '../detect/index.js';
import { countBelow, normalSurvival, poissonSurvivalLog10, type EntityStats } from '../features/index.js';
import { fmix32, ipPrefix, seededRandom, TOPIC_NAMES } from '../text/index.js';

/**
 * Low-rate coordinated campaigns: a few dozen accounts, each at a person's pace with ordinary
 * task prompts, that share only weak attributes (a VPN provider's network at sign-up, a common
 * SDK version, a sign-up cohort). No account is convincing and no shared value links anyone on
 * its own; what gives the operator away is that
 *
 * - weak attributes are rare *together*: many people use the SDK and many sign up through the
 *   VPN, but a dozen accounts with both, in one week, are far beyond what their frequencies
 *   predict (a Poisson tail on the joint count under independence); and
 * - the accounts share out one task list. Either the operator gave each its own slice, so each
 *   account is narrow and two accounts' topic mixes lie far apart (they cover the space
 *   *complementarily*), while people doing their own tasks range over several topics and overlap
 *   on popular ones; or it dealt the list out as it came, so every account's prompts are a sample
 *   of the same list and two accounts' prompt distributions are as close as two samples of one
 *   source, while each person asks about their own things. The group's mean pairwise distance
 *   between topic mixes, and between prompt distributions (kernel mean embeddings, chance
 *   removed), are each tested against random groups of accounts of the same activity from the same
 *   population.
 *
 * Weak attributes only propose a group; it is reported only when its content corroborates
 * (a task-style sweep over six or more domains whose members partition its topics or draw from
 * one source). A course's students can do either (a task list split between them, one notebook's
 * templates): a coordinated group is never acted on without a person (see cluster-act.ts).
 */

/** Accounts with fewer requests say too little about their topics or their client. */
const MIN_EVENTS = 8;
const MIN_TOPIC_EVENTS = 4;
/** A weak-attribute combination is a candidate when held by this many accounts ... */
const MIN_KEY_HOLDERS = 3;
/** ... and its joint count is this improbable under independence, after Bonferroni over combinations. */
const KEY_LOG10_P = -3;
const MIN_MEMBERS = 6;
/** Task-style: one-shot requests, not conversations or a product's system-prompted traffic. */
const MAX_FOLLOW_UP_SHARE = 0.15;
const MAX_SYSTEM_SHARE = 0.5;
/** A sweep, not two specialists: domains holding at least 1 % of the group's topic mass. */
const MIN_DOMAINS = 6;
/** Random comparison groups, and how far from a member's activity rank their accounts are drawn. */
const NULL_GROUPS = 200;
const STRATUM = 40;
/**
 * Members' topic mixes must lie further apart than in random groups at this p. Only the few groups
 * bound by jointly rare attributes are tested (a handful per population), so this bounds the
 * chance of a benign group passing to about that.
 */
const COVERAGE_MAX_P = 1e-3;
/** A member's prompt distribution is compared only when it holds this many prompts. */
const MIN_KERNEL_PROMPTS = 4;
const COHORT_MS = 7 * 86_400_000;
/**
 * Cohort-mates join a group's test when more task-style accounts signed up within its members'
 * sign-up span than the population's share of task-style accounts predicts, at this p.
 */
const MATES_LOG10_P = -2;
/**
 * ... and when at most this share of them would be there by chance (expected over observed): a
 * population where many people send one-shot prompts leaves a group as its weak attributes found it.
 */
const MATES_MAX_CHANCE_SHARE = 0.1;
const MAX_COMPONENTS = 200;

/** A set of accounts sharing something far rarer than chance, with how rare. */
export interface RareKey {
  key: string;
  holders: string[];
  /**
   * Accounts of the same network or client in other windows as improbable as this one's (after
   * the same correction): an operator's sign-ups can spread over more days than the best window.
   * They join the group; the key's count and expectation stay the best window's.
   */
  alsoIn?: string[];
  expected: number;
  log10p: number;
  description?: string;
  /** What the expectation is taken from, when it is not the two attributes' separate frequencies. */
  basis?: string;
}

type WeakKind = 'signup network' | 'client' | 'sign-up week';
const PAIRS: readonly [WeakKind, WeakKind][] = [
  ['signup network', 'client'],
  ['client', 'sign-up week'],
  ['signup network', 'sign-up week'],
];

/** The evidence behind one coordinated group, as an analyst reads it. */
export interface CoordinationEvidence {
  members: string[];
  /** The rarest weak-attribute combination the members share. */
  joint: { description: string; holders: number; expected: number; log10p: number; basis?: string };
  coverage: {
    p: number;
    /** Mean pairwise share of topic mass two members have in common, and random groups' mean. */
    overlap: number;
    nullOverlap: number;
    /** Share of member pairs that are nearly disjoint, and random groups' mean share. */
    disjoint: number;
    nullDisjoint: number;
    /**
     * Mean squared distance between two members' topic mixes (0 alike, 2 each on one topic and
     * different ones), and random groups' mean: what the test is on.
     */
    spread: number;
    nullSpread: number;
    /**
     * Which way the members share out the task list: `slices`, tested on `spread` (the topic
     * mixes lie apart), or `one-source`, tested on `sourceSpread` (the prompt distributions lie
     * as close as samples of one source). `p` is the test's own p doubled (two were made).
     */
    pattern: 'slices' | 'one-source';
    /**
     * Mean squared distance between two members' prompt distributions (kernel mean embeddings),
     * less what their finite samples put there by chance (about 0 for two samples of one
     * source), and random groups' mean; NaN when too few members had enough prompts.
     */
    sourceSpread: number;
    nullSourceSpread: number;
    tested: number;
    domains: string[];
    topicEvents: number;
    requests: number;
    followUps: number;
  };
  examples: string[];
  /**
   * Accounts that share none of the weak attributes but signed up within the members' sign-up
   * span and send only task-style prompts, more of them than chance: tested with the members,
   * and kept as members when their topics are at least as concentrated as every member's.
   */
  cohort?: CohortMates;
  /**
   * Accounts linked into communities most of whose accounts are members (shared task templates,
   * a client set-up) that signed up outside the members' span: members too, when task-style and
   * as narrow in topic as every member.
   */
  fellows?: string[];
  /**
   * Accounts in no group that signed up around the members, send only task prompts and re-use two
   * or more of the members' prompt templates, more of them than chance: members too.
   */
  recipe?: RecipeMates;
}

/** Task-style accounts re-using a group's templates that signed up around its members, beyond chance. */
export interface RecipeMates {
  /** The members' sign-up span widened by its mean gap between sign-ups on each side (ISO, minutes). */
  from: string;
  to: string;
  /** Accounts in no group that signed up in the window, and those of them that are task-style re-users. */
  signedUp: number;
  found: number;
  /** The same counts outside the window, and the re-users they predict in it. */
  outside: number;
  outsideFound: number;
  expected: number;
  log10p: number;
  /** Each joined account, the members' templates it re-uses, and the members that re-use them. */
  added: { id: string; templates: string[]; with: string[] }[];
}

/** Task-style accounts that signed up while a group's members did, beyond the population's share. */
export interface CohortMates {
  /** Sign-up span of the group's members (ISO dates). */
  from: string;
  to: string;
  /** Eligible accounts that signed up in the span, task-style ones among them, and the expectation. */
  signedUp: number;
  taskStyle: number;
  expected: number;
  log10p: number;
  /**
   * Set when the counts are of the operator-like sign-ups only (task-style, as narrow in topic as
   * every member, mainly on a topic the members work on): the test on all task-style sign-ups
   * fell short, and the one on those that look like the members' own slices did not.
   */
  narrow?: boolean;
  /** The cohort-mates kept as members: as narrow in topic as the group's own members. */
  added: string[];
}

function weakAttributes(record: AccountRecord | undefined, s: EntityStats): Map<WeakKind, string> {
  const out = new Map<WeakKind, string>();
  const net = record?.signup_ip ? ipPrefix(record.signup_ip) : null;
  if (net) out.set('signup network', net);
  const [ua, count] = s.userAgents.top()[0] ?? [];
  if (ua && count !== undefined && count >= 0.5 * s.n) out.set('client', ua);
  const created = record?.created_at ? Date.parse(record.created_at) : NaN;
  if (Number.isFinite(created))
    out.set('sign-up week', new Date(Math.floor(created / COHORT_MS) * COHORT_MS).toISOString().slice(0, 10));
  return out;
}

const taskStyle = (s: EntityStats): boolean =>
  s.followUps <= MAX_FOLLOW_UP_SHARE * s.n && s.withSystem <= MAX_SYSTEM_SHARE * s.n;

const topShare = (s: EntityStats): number => Math.max(...topicShares(s));

function topicShares(s: EntityStats): Float64Array {
  let total = 0;
  for (const w of s.topicWeight) total += w;
  return Float64Array.from(s.topicWeight, (w) => (total > 0 ? w / total : 0));
}

const createdAt = (r: AccountRecord | undefined): number => (r?.created_at ? Date.parse(r.created_at) : NaN);
const isoDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * Accounts of the operator that share no weak attribute with the rest (their own home network,
 * another client) still signed up while the others did, and still send only task prompts. Among
 * the accounts in no group, those that signed up within the group's sign-up span and are
 * task-style are its candidate cohort-mates, when there are more of them than the share of
 * task-style accounts among sign-ups outside the span predicts for the sign-ups in it (a Poisson
 * tail).
 *
 * When that falls short, the same test is made on what ties an account to this operator beyond
 * sign-up time and style: an operator splits one task distribution between its accounts, so each
 * keeps to a slice of it. Those task-style sign-ups whose topic mix is as narrow as every
 * member's and whose main topic is one the members work on are counted, against the share of such
 * accounts outside the span. The class is fixed by the members before any candidate is looked at;
 * a handful of one-shot users in the span are rarely all on one slice each of the group's space.
 */
function cohortMates(
  members: readonly string[],
  ids: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  inGroups: ReadonlySet<string>,
  linked: ReadonlyMap<string, number>,
): { candidates: string[]; stats: Omit<CohortMates, 'added'> } | undefined {
  const times = members.map((id) => createdAt(records.get(id))).filter(Number.isFinite);
  if (times.length < MIN_MEMBERS) return undefined;
  const from = Math.min(...times);
  const to = Math.max(...times);
  const goesWith = communitiesWithGroup(members, [from, to], accounts, records, inGroups, linked);
  const operatorLike = sliceOfGroup(members, accounts);
  const all = { eligible: 0, inSpan: 0, outside: 0, candidates: [] as string[] };
  const narrow = { eligible: 0, inSpan: 0, outside: 0, candidates: [] as string[] };
  for (const id of ids) {
    if (inGroups.has(id) || (linked.has(id) && !goesWith.has(linked.get(id)!))) continue;
    const t = createdAt(records.get(id));
    if (!Number.isFinite(t)) continue;
    const s = accounts.get(id)!;
    const style = taskStyle(s);
    const like = style && operatorLike(s);
    const inSpan = t >= from && t <= to;
    all.eligible++;
    if (inSpan) all.inSpan++;
    for (const [counts, is] of [
      [all, style],
      [narrow, like],
    ] as const) {
      if (!is) continue;
      if (inSpan) counts.candidates.push(id);
      else counts.outside++;
    }
  }
  if (all.candidates.length === 0) return undefined;
  // The share of task-style accounts is taken outside the span: the operator's own sign-ups are
  // what is tested, and in a population with few one-shot users they would make most of the share
  // they are judged against. Outside, it is the population's own (a quarter account keeps it > 0).
  const outside = all.eligible - all.inSpan;
  if (outside <= 0) return undefined;
  const span = { from: isoDay(from), to: isoDay(to), signedUp: all.inSpan };
  for (const [counts, isNarrow] of [
    [all, false],
    [narrow, true],
  ] as const) {
    const found = counts.candidates.length;
    if (found === 0) continue;
    const expected = (Math.max(counts.outside, 0.25) / outside) * all.inSpan;
    const log10p = poissonSurvivalLog10(found, expected);
    if (log10p > MATES_LOG10_P || expected > MATES_MAX_CHANCE_SHARE * found) continue;
    return {
      candidates: counts.candidates,
      stats: { ...span, taskStyle: found, expected, log10p, ...(isNarrow ? { narrow: true } : {}) },
    };
  }
  return undefined;
}

/**
 * The linked communities that go with a group: more than half of their accounts are its members
 * or could be its cohort-mates (task-style, signed up within its sign-up span, in no other group).
 * An operator's accounts that share task templates (one slice's generator) are linked into small
 * communities of their own, all of whose accounts signed up with the group and send only task
 * prompts: they are part of its cohort, not another cluster, and their accounts may join it.
 * Accounts of a community that does not go with it are not taken as cohort-mates: joining needs
 * the link to members. Leaving needs more than its absence (see holdsElsewhere).
 */
function communitiesWithGroup(
  members: readonly string[],
  span: readonly [number, number],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  inGroups: ReadonlySet<string>,
  linked: ReadonlyMap<string, number>,
): Set<number> {
  const counts = likeGroup(members, span, accounts, records, inGroups, linked);
  return new Set([...counts].filter(([, n]) => goesWith(n)).map(([c]) => c));
}

interface LikeCounts {
  size: number;
  alike: number;
}

const goesWith = (n: LikeCounts): boolean => 2 * n.alike > n.size;

/**
 * Whether a linked community holds a group's accounts elsewhere: besides whatever of them is like
 * the group (see communitiesWithGroup), they hold at least MIN_MEMBERS accounts that are not, and
 * those are most of it — another actor's fleet of which a few accounts share the group's SDK
 * build and sign-up days, a cluster on its own account without any of the group's. A proposed
 * member in one leaves the group for it. Being outnumbered is not enough: a member linked (a
 * shared sign-up IP, a template prefix) to two ordinary accounts is in a community two thirds
 * unlike the group, and an operator could link each of its accounts to a couple of ordinary-
 * looking ones to shed them all. To shed one now it must link it into a community with a
 * cluster's worth of accounts unlike the group, which the linkage step puts up as a candidate
 * cluster in its own right (its own fleet of six decoys per community, or a crowd linked as one,
 * such as a campus NAT's sign-ups). Another proposed group holding most of a small community is
 * no such evidence: two decoys per member from one rare sign-up network would do it.
 */
const holdsElsewhere = (n: LikeCounts): boolean => n.size - n.alike >= MIN_MEMBERS && !goesWith(n);

/**
 * Per linked community, its size and how many of its accounts are a group's members or could be
 * its cohort-mates (task-style, signed up within the span, in no other group).
 */
function likeGroup(
  members: readonly string[],
  [from, to]: readonly [number, number],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  inGroups: ReadonlySet<string>,
  linked: ReadonlyMap<string, number>,
): Map<number, LikeCounts> {
  const core = new Set(members);
  const counts = new Map<number, LikeCounts>();
  for (const [id, c] of linked) {
    const n = counts.get(c) ?? { size: 0, alike: 0 };
    counts.set(c, n);
    n.size++;
    const t = createdAt(records.get(id));
    const s = accounts.get(id);
    const could = !inGroups.has(id) && s !== undefined && taskStyle(s) && t >= from && t <= to;
    if (core.has(id) || could) n.alike++;
  }
  return counts;
}

/**
 * The group with the accounts of the linked communities that go with it (communitiesWithGroup, on
 * its final members) that are not yet members: task-style and as narrow in topic as every core
 * member, wherever their sign-up falls. The links (shared task templates, a client set-up) tie
 * them to members; the sign-up span that chose cohort-mates is only an operator's busiest days.
 */
function withCommunityFellows(
  found: Omit<CoordinationEvidence, 'joint'>,
  core: readonly string[],
  ids: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  taken: ReadonlySet<string>,
  linked: ReadonlyMap<string, number>,
): Omit<CoordinationEvidence, 'joint'> {
  const span = found.members.some((id) => linked.has(id)) ? signupSpan(found.members, records) : undefined;
  if (!span) return found;
  const goesWith = communitiesWithGroup(found.members, span, accounts, records, taken, linked);
  const isMember = new Set(found.members);
  const alike = likeMembers(found.coverage.pattern, core, accounts);
  const fellows = ids.filter((id) => {
    const c = linked.get(id);
    if (c === undefined || !goesWith.has(c) || isMember.has(id) || taken.has(id)) return false;
    const s = accounts.get(id)!;
    return taskStyle(s) && alike(s);
  });
  if (fellows.length === 0) return found;
  return { ...found, members: [...found.members, ...fellows].sort(), fellows };
}

/**
 * The group with the accounts that re-use its operator's recipe: in no group, signed up within the
 * members' sign-up window widened on each side by the mean gap between two members' sign-ups (an
 * operator creating k accounts over a span makes one every span/(k − 1)), task-style, and
 * re-using at least two of the members' prompt templates. They join only when the window holds
 * more such accounts than the share of them among sign-ups outside it predicts (a Poisson tail at
 * MATES_LOG10_P, at most a tenth of them expected by chance): a handful of groups per population
 * are tested, so a chance join is rarer than one population in ten. And each joins only when its
 * own templates are rare outside the window: when the sign-ups outside that re-use two of the same
 * templates predict more than a tenth of an account in the window, they are popular (a public
 * recipe) and an account re-using them says nothing about this operator, however many of the
 * operator's own accounts pass the pooled test beside it.
 */
function withRecipeMates(
  found: CoordinationEvidence,
  ids: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  taken: ReadonlySet<string>,
  templates: ReadonlyMap<string, readonly string[]>,
): CoordinationEvidence {
  const window = recipeWindow(found.members, records);
  if (!window) return found;
  const holders = new Map<string, string[]>();
  for (const id of found.members)
    for (const t of templates.get(id) ?? []) holders.set(t, [...(holders.get(t) ?? []), id]);
  const shared = (id: string): string[] => (templates.get(id) ?? []).filter((t) => holders.has(t));
  const inWindow: string[] = [];
  const outside: string[] = [];
  for (const id of ids) {
    const t = createdAt(records.get(id));
    if (taken.has(id) || !Number.isFinite(t)) continue;
    (t >= window[0] && t <= window[1] ? inWindow : outside).push(id);
  }
  // A group sharing one source takes only accounts that sample it too; a sliced group's accounts
  // off the members' slices are what this step is for.
  const alike =
    found.coverage.pattern === 'one-source' ? likeMembers('one-source', found.members, accounts) : () => true;
  const reuses = (id: string): boolean =>
    taskStyle(accounts.get(id)!) && shared(id).length >= 2 && alike(accounts.get(id)!);
  const candidates = inWindow.filter(reuses);
  if (candidates.length === 0 || outside.length === 0) return found;
  const outsideFound = outside.filter(reuses).length;
  // A quarter account keeps the expectation above 0 where nobody outside re-uses the recipe.
  const perSignup = (count: number): number => (Math.max(count, 0.25) / outside.length) * inWindow.length;
  const expected = perSignup(outsideFound);
  const log10p = poissonSurvivalLog10(candidates.length, expected);
  if (log10p > MATES_LOG10_P || expected > MATES_MAX_CHANCE_SHARE * candidates.length) return found;
  const outsideSets = outside.map((id) => new Set(templates.get(id) ?? []));
  const added = candidates
    .map((id) => ({ id, templates: shared(id) }))
    .filter(({ templates: own }) => {
      const alike = outsideSets.filter((set) => own.filter((t) => set.has(t)).length >= 2).length;
      return perSignup(alike) <= MATES_MAX_CHANCE_SHARE;
    })
    .map(({ id, templates: own }) => ({
      id,
      templates: own,
      with: [...new Set(own.flatMap((t) => holders.get(t)!))].sort(),
    }));
  if (added.length === 0) return found;
  const recipe: RecipeMates = {
    from: isoMinute(window[0]),
    to: isoMinute(window[1]),
    signedUp: inWindow.length,
    found: candidates.length,
    outside: outside.length,
    outsideFound,
    expected,
    log10p,
    added,
  };
  return { ...found, members: [...found.members, ...added.map((a) => a.id)].sort(), recipe };
}

/** The members' sign-up span widened by (last − first)/(k − 1) on each side; k members with a sign-up time. */
function recipeWindow(
  members: readonly string[],
  records: ReadonlyMap<string, AccountRecord>,
): readonly [number, number] | undefined {
  const times = members.map((id) => createdAt(records.get(id))).filter(Number.isFinite);
  if (times.length < 2) return undefined;
  const first = Math.min(...times);
  const last = Math.max(...times);
  const gap = (last - first) / (times.length - 1);
  return [first - gap, last + gap];
}

const isoMinute = (t: number): string => new Date(t).toISOString().slice(0, 16) + 'Z';

/** The members' sign-up span (first and last sign-up), when any of them has a sign-up time. */
function signupSpan(
  members: readonly string[],
  records: ReadonlyMap<string, AccountRecord>,
): readonly [number, number] | undefined {
  const times = members.map((id) => createdAt(records.get(id))).filter(Number.isFinite);
  return times.length ? [Math.min(...times), Math.max(...times)] : undefined;
}

/**
 * A candidate group without the members whose linked community holds them elsewhere (see
 * holdsElsewhere, on the group's own sign-up span).
 */
function withoutOtherCommunities(
  members: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  inGroups: ReadonlySet<string>,
  linked: ReadonlyMap<string, number>,
): string[] {
  const span = members.some((id) => linked.has(id)) ? signupSpan(members, records) : undefined;
  if (!span) return [...members];
  const counts = likeGroup(members, span, accounts, records, inGroups, linked);
  return members.filter((id) => !linked.has(id) || !holdsElsewhere(counts.get(linked.get(id)!)!));
}

/**
 * Whether an account looks like one more of a group's accounts on its topics: measured, at least
 * as concentrated as every measured member, and mainly on one of the domains the members cover.
 */
function sliceOfGroup(
  members: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
): (s: EntityStats) => boolean {
  const stats = members.map((id) => accounts.get(id)!);
  const measured = stats.filter((s) => s.topicEvents >= MIN_TOPIC_EVENTS);
  if (measured.length === 0) return () => false;
  const bar = Math.min(...measured.map(topShare));
  const covered = new Set(coveredDomains(stats).map((d) => d.k));
  return (s) => {
    if (s.topicEvents < MIN_TOPIC_EVENTS) return false;
    const shares = topicShares(s);
    const top = Math.max(...shares);
    return top >= bar && covered.has(shares.indexOf(top));
  };
}

/** Domains holding at least 1 % of a group's pooled topic mass (and two prompts' worth), largest first. */
function coveredDomains(stats: readonly EntityStats[]): { k: number; name: string; w: number }[] {
  const pooled = new Float64Array(TOPIC_NAMES.length);
  for (const s of stats) for (let k = 0; k < pooled.length; k++) pooled[k]! += s.topicWeight[k]!;
  const mass = pooled.reduce((a, b) => a + b, 0);
  return TOPIC_NAMES.map((name, k) => ({ k, name, w: pooled[k]! }))
    .filter((d) => d.w >= Math.max(2, 0.01 * mass))
    .sort((a, b) => b.w - a.w);
}

/**
 * Whether an account is like a tested group's core members, as the group's test found them: as
 * narrow in topic as every member (slices), or with its prompts as close to the core's pooled
 * prompts as every member's are (one source; chance removed as in `sourceSpread`). Unmeasured
 * accounts are not.
 */
function likeMembers(
  pattern: CoordinationEvidence['coverage']['pattern'],
  core: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
): (s: EntityStats) => boolean {
  const stats = core.map((id) => accounts.get(id)!);
  if (pattern === 'slices') {
    const measured = stats.filter((s) => s.topicEvents >= MIN_TOPIC_EVENTS);
    const bar = Math.min(...measured.map(topShare));
    return (s) => s.topicEvents >= MIN_TOPIC_EVENTS && topShare(s) >= bar;
  }
  const kernels = stats.map(kernelMean).filter((k): k is KernelMean => k !== null);
  if (kernels.length === 0) return () => false;
  const pooled = new Float64Array(kernels[0]!.mean.length);
  for (const k of kernels) for (let d = 0; d < pooled.length; d++) pooled[d]! += k.mean[d]! / kernels.length;
  const distance = (k: KernelMean): number => {
    let d = 0;
    for (let i = 0; i < pooled.length; i++) d += (k.mean[i]! - pooled[i]!) ** 2;
    return d - k.noise;
  };
  const bar = Math.max(...kernels.map(distance));
  return (s) => {
    const k = kernelMean(s);
    return k !== null && distance(k) <= bar;
  };
}

/** How `likeMembers` judged an account, in words. */
const likeText = (pattern: CoordinationEvidence['coverage']['pattern']): string =>
  pattern === 'slices'
    ? 'as narrow in topic as the members'
    : "as close in what they ask to the members' pooled prompts as every member is";

/** The tested group's evidence with only the cohort-mates like every member (`likeMembers`) kept. */
function keepNarrowMates(
  found: Omit<CoordinationEvidence, 'joint'>,
  core: readonly string[],
  cohort: { candidates: string[]; stats: Omit<CohortMates, 'added'> },
  accounts: ReadonlyMap<string, EntityStats>,
): Omit<CoordinationEvidence, 'joint'> {
  const alike = likeMembers(found.coverage.pattern, core, accounts);
  const added = cohort.candidates.filter((id) => alike(accounts.get(id)!));
  return { ...found, members: [...core, ...added].sort(), cohort: { ...cohort.stats, added } };
}

/** An account's prompts as a kernel mean embedding, with the part of a squared distance to it that is chance. */
interface KernelMean {
  mean: Float64Array;
  noise: number;
}

function kernelMean(s: EntityStats): KernelMean | null {
  const n = s.kernelCount;
  if (n < MIN_KERNEL_PROMPTS) return null;
  const mean = Float64Array.from(s.kernelSum, (x) => x / n);
  let norm = 0;
  for (const x of mean) norm += x * x;
  // Each prompt's random-Fourier feature vector has squared norm ≈ 1, so a mean over n prompts
  // lies (1 − ‖mean‖²)/(n − 1) from its expectation by chance alone (as distribution-shift removes).
  return { mean, noise: Math.max(0, 1 - norm) / (n - 1) };
}

/**
 * Mean over pairs of the squared distance between two accounts' prompt distributions, less what
 * their finite samples add by chance: about 0 when both sample one source, larger the more each
 * asks about its own things. NaN with fewer than MIN_MEMBERS measured accounts.
 */
function sourceSpread(kernels: readonly (KernelMean | null)[]): number {
  const measured = kernels.filter((k): k is KernelMean => k !== null);
  const m = measured.length;
  if (m < MIN_MEMBERS) return NaN;
  // Over pairs, Σ‖a_i − a_j‖² = m Σ‖a_i‖² − ‖Σ a_i‖² and each account's chance term counts m − 1
  // times: linear in the group's size, where a large medium-scale group has tens of thousands of pairs.
  const sum = new Float64Array(measured[0]!.mean.length);
  let squares = 0;
  let noise = 0;
  for (const k of measured) {
    for (let d = 0; d < sum.length; d++) {
      sum[d]! += k.mean[d]!;
      squares += k.mean[d]! ** 2;
    }
    noise += k.noise;
  }
  let total = 0;
  for (const x of sum) total += x * x;
  const pairs = (m * (m - 1)) / 2;
  return (m * squares - total) / pairs - (2 * noise) / m;
}

/** Two accounts whose topics share at most this much of their mass are on separate slices. */
const DISJOINT = 0.1;

interface PairStats {
  mean: number;
  disjoint: number;
  spread: number;
}

/**
 * Over pairs of accounts: the mean topic mass two have in common (histogram intersection), the
 * share of pairs that are nearly disjoint, and the mean squared distance between their topic
 * mixes. A partition shows in the last: it is large only when each account is narrow *and* the
 * two are on different slices (it is ‖a‖² + ‖b‖² − 2a·b: each mix's concentration, less what they
 * share). Counting nearly disjoint pairs missed it: a slice's tasks touch generic domains
 * (writing, data) that every slice's tasks touch a little, so few pairs are fully disjoint.
 */
function pairOverlap(shares: readonly Float64Array[]): PairStats {
  let sum = 0;
  let disjoint = 0;
  let spread = 0;
  let pairs = 0;
  for (let i = 0; i < shares.length; i++)
    for (let j = i + 1; j < shares.length; j++) {
      const a = shares[i]!;
      const b = shares[j]!;
      let o = 0;
      let d = 0;
      for (let k = 0; k < a.length; k++) {
        o += Math.min(a[k]!, b[k]!);
        d += (a[k]! - b[k]!) ** 2;
      }
      sum += o;
      spread += d;
      if (o <= DISJOINT) disjoint++;
      pairs++;
    }
  return pairs
    ? { mean: sum / pairs, disjoint: disjoint / pairs, spread: spread / pairs }
    : { mean: 0, disjoint: 0, spread: 0 };
}

/**
 * Groups of accounts bound by jointly rare weak attributes whose members cover a topic space
 * complementarily, with the evidence for each. Deterministic for a seed.
 */
export function coordinatedGroups(
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  seed: number,
  minClusterSize: number,
  /**
   * The linked community of each account in one: an account in a community none of a group's
   * members is in belongs to another cluster and is never taken as its cohort-mate.
   */
  linked: ReadonlyMap<string, number> = new Map(),
  /** The prompt templates (skeleton ids) each account re-uses, as linkage reads them. */
  templates: ReadonlyMap<string, readonly string[]> = new Map(),
): CoordinationEvidence[] {
  const ids = [...accounts.keys()].filter((id) => accounts.get(id)!.n >= MIN_EVENTS).sort();
  if (ids.length < 50) return [];
  const rare = rareCombinations(ids, accounts, records);
  const proposed = candidateGroups(rare, accounts, minClusterSize);
  const proposedAll = new Set(proposed.flat());
  const groups = proposed
    .map((core) => {
      const own = new Set(core);
      const others = new Set([...proposedAll].filter((id) => !own.has(id)));
      return withoutOtherCommunities(core, accounts, records, others, linked);
    })
    .filter((core) => core.length >= Math.max(MIN_MEMBERS, minClusterSize))
    .sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
  if (groups.length === 0) return [];
  const inGroups = new Set(groups.flat());
  // A cohort-mate is offered to one group only, the largest whose span holds it.
  const offered = new Set(inGroups);
  const mates = groups.map((members) => {
    const m = cohortMates(members, ids, accounts, records, offered, linked);
    for (const id of m?.candidates ?? []) offered.add(id);
    return m;
  });
  const tested = new Set([...proposedAll, ...mates.flatMap((m) => m?.candidates ?? [])]);
  // The comparison pool: accounts outside every proposed group (those left to their own
  // communities too: they were proposed on rare attributes), by topic activity. Only focused
  // prompts carry topics, so a person's chat is compared on the requests it makes, not its replies.
  const pool = ids
    .filter((id) => !tested.has(id))
    .map((id) => accounts.get(id)!)
    .filter((s) => s.topicEvents >= MIN_TOPIC_EVENTS)
    .sort((a, b) => a.topicEvents - b.topicEvents);
  const poolShares = pool.map(topicShares);
  const poolKernels = pool.map(kernelMean);
  const out: CoordinationEvidence[] = [];
  for (const [g, core] of groups.entries()) {
    // Cohort-mates are chosen by sign-up time and style alone, so testing them with the members
    // does not bias the test; they stay as members only when as narrow as the members are.
    const cohort = mates[g];
    const found = testGroup(
      cohort ? [...core, ...cohort.candidates] : core,
      accounts,
      pool,
      { shares: poolShares, kernels: poolKernels },
      seed,
    );
    if (!found) continue;
    if (found.coverage.pattern === 'one-source' && splitsCommunity(found.members, linked, minClusterSize))
      continue;
    const kept = cohort ? keepNarrowMates(found, core, cohort, accounts) : found;
    const evidence = withCommunityFellows(kept, core, ids, accounts, records, offered, linked);
    for (const id of evidence.fellows ?? []) offered.add(id);
    const best = rare
      .filter((r) => r.holders.some((id) => core.includes(id)))
      .sort((a, b) => a.log10p - b.log10p)[0]!;
    out.push({ ...evidence, joint: jointEvidence(best) });
  }
  // Recipe-mates come from accounts in no group at all, once every group has its members.
  const taken = inAnyGroup(out, linked, minClusterSize);
  return out.map((e) => {
    const joined = withRecipeMates(e, ids, accounts, records, taken, templates);
    for (const { id } of joined.recipe?.added ?? []) taken.add(id);
    return joined;
  });
}

/**
 * Whether a group holds minClusterSize or more of a linked community's accounts and leaves as many
 * outside it. Any campaign's accounts sample one source (the operator's task list), so a group found
 * on that pattern may be a part of a larger campaign that linkage binds with stronger links (a
 * hydra's shared proxies); linkage judges that community whole, and may act on it, where a
 * coordinated group is only ever held for review. A slicing operator is what the other pattern is
 * for, and its groups are left to `withoutOtherCommunities`.
 */
function splitsCommunity(
  members: readonly string[],
  linked: ReadonlyMap<string, number>,
  minClusterSize: number,
): boolean {
  const size = new Map<number, number>();
  for (const c of linked.values()) size.set(c, (size.get(c) ?? 0) + 1);
  const held = new Map<number, number>();
  for (const id of members) {
    const c = linked.get(id);
    if (c !== undefined) held.set(c, (held.get(c) ?? 0) + 1);
  }
  for (const [c, n] of held) if (n >= minClusterSize && size.get(c)! - n >= minClusterSize) return true;
  return false;
}

/**
 * Accounts in a group once coordinated members have left their linked communities: the members,
 * and the accounts of communities that keep at least minClusterSize without them. A community the
 * group took all but one or two accounts of is no cluster any more (population-linkage drops it),
 * so what is left of it is in no group (small seed 684435: a low-rate account whose two
 * community-mates were members).
 */
function inAnyGroup(
  groups: readonly CoordinationEvidence[],
  linked: ReadonlyMap<string, number>,
  minClusterSize: number,
): Set<string> {
  const taken = new Set(groups.flatMap((e) => e.members));
  const left = new Map<number, number>();
  for (const [id, c] of linked) if (!taken.has(id)) left.set(c, (left.get(c) ?? 0) + 1);
  for (const [id, c] of linked) if (left.get(c)! >= minClusterSize) taken.add(id);
  return taken;
}

/** The strongest rare combination of a group, in words, with its counts. */
function jointEvidence(best: RareKey): CoordinationEvidence['joint'] {
  const [ka, kb] = best.key.split('\u0001') as [string, string];
  const words = (k: string): string => {
    const [kind, value] = k.split('\u0000');
    return `${kind} ${value}`;
  };
  return {
    description: best.description ?? `${words(ka)} and ${words(kb)}`,
    ...(best.basis ? { basis: best.basis } : {}),
    holders: best.holders.length,
    expected: best.expected,
    log10p: best.log10p,
  };
}

/**
 * Combinations of weak attributes held by more accounts than their separate frequencies predict,
 * and the sign-up and client cohorts: what binds the accounts of a candidate group.
 */
function rareCombinations(
  ids: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
): RareKey[] {
  const N = ids.length;
  const weak = new Map(ids.map((id) => [id, weakAttributes(records.get(id), accounts.get(id)!)]));
  const single = new Map<string, number>();
  const joint = new Map<string, string[]>();
  for (const id of ids) {
    const w = weak.get(id)!;
    for (const [kind, v] of w) single.set(`${kind}\u0000${v}`, (single.get(`${kind}\u0000${v}`) ?? 0) + 1);
    for (const [a, b] of PAIRS) {
      const va = w.get(a);
      const vb = w.get(b);
      if (va === undefined || vb === undefined) continue;
      const key = `${a}\u0000${va}\u0001${b}\u0000${vb}`;
      const list = joint.get(key) ?? [];
      list.push(id);
      joint.set(key, list);
    }
  }
  // Combinations held by enough accounts, judged against what their separate frequencies predict.
  const candidates = [...joint].filter(([, holders]) => holders.length >= MIN_KEY_HOLDERS);
  const bonferroni = Math.log10(Math.max(1, candidates.length));
  const rare: RareKey[] = [];
  for (const [key, holders] of candidates) {
    const [ka, kb] = key.split('\u0001') as [string, string];
    const expected = (single.get(ka)! * single.get(kb)!) / N;
    const log10p = poissonSurvivalLog10(holders.length, expected);
    if (log10p + bonferroni <= KEY_LOG10_P) rare.push({ key, holders, expected, log10p });
  }
  rare.push(...signupCohorts(ids, records, signupNetworks(accounts, records)));
  const clients = new Map<string, string>();
  for (const id of ids) {
    const c = weak.get(id)!.get('client');
    if (c !== undefined) clients.set(id, c);
  }
  rare.push(...clientCohorts(ids, records, clients));
  return rare;
}

/** Accounts joined through any rare combination, as candidate groups, largest first. */
function candidateGroups(
  rare: readonly RareKey[],
  accounts: ReadonlyMap<string, EntityStats>,
  minClusterSize: number,
): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const { holders, alsoIn } of rare)
    for (const id of alsoIn ? [...holders, ...alsoIn] : holders) {
      if (!parent.has(id)) parent.set(id, id);
      const a = find(holders[0]!);
      const b = find(id);
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  const components = new Map<string, string[]>();
  for (const id of [...parent.keys()].sort()) {
    const r = find(id);
    const list = components.get(r) ?? [];
    list.push(id);
    components.set(r, list);
  }
  return [...components.values()]
    .map((members) => members.filter((id) => taskStyle(accounts.get(id)!)))
    .filter((members) => members.length >= Math.max(MIN_MEMBERS, minClusterSize))
    .sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1))
    .slice(0, MAX_COMPONENTS);
}

function testGroup(
  members: string[],
  accounts: ReadonlyMap<string, EntityStats>,
  pool: readonly EntityStats[],
  poolContent: { shares: readonly Float64Array[]; kernels: readonly (KernelMean | null)[] },
  seed: number,
): Omit<CoordinationEvidence, 'joint'> | undefined {
  const tested = members.filter((id) => accounts.get(id)!.topicEvents >= MIN_TOPIC_EVENTS);
  if (tested.length < MIN_MEMBERS || pool.length < 3 * tested.length) return undefined;
  let topicEvents = 0;
  let requests = 0;
  let followUps = 0;
  for (const id of members) {
    const s = accounts.get(id)!;
    topicEvents += s.topicEvents;
    requests += s.n;
    followUps += s.followUps;
  }
  const domains = coveredDomains(members.map((id) => accounts.get(id)!)).map((d) => d.name);
  if (domains.length < MIN_DOMAINS) return undefined;
  const observed = pairOverlap(tested.map((id) => topicShares(accounts.get(id)!)));
  const observedSource = sourceSpread(tested.map((id) => kernelMean(accounts.get(id)!)));
  // Random groups: one pool account per member, drawn near the member's topic activity, since
  // accounts with fewer topical prompts overlap less with anyone.
  const ranks = tested.map((id) => countBelow(pool, accounts.get(id)!.topicEvents, (p) => p.topicEvents));
  const random = seededRandom(fmix32(seed ^ 0x5bd1e995) ^ tested.length);
  const nulls: PairStats[] = [];
  const nullSources: number[] = [];
  for (let g = 0; g < NULL_GROUPS; g++) {
    const chosen = new Set<number>();
    for (const r of ranks) {
      const lo = Math.max(0, Math.min(r - STRATUM, pool.length - 2 * STRATUM - 1));
      const hi = Math.min(pool.length - 1, lo + 2 * STRATUM);
      let pick = lo + Math.floor(random() * (hi - lo + 1));
      for (let tries = 0; chosen.has(pick) && tries < 20; tries++)
        pick = lo + Math.floor(random() * (hi - lo + 1));
      chosen.add(pick);
    }
    nulls.push(pairOverlap([...chosen].map((i) => poolContent.shares[i]!)));
    nullSources.push(sourceSpread([...chosen].map((i) => poolContent.kernels[i]!)));
  }
  const moments = (v: number[]): [number, number] => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1))];
  };
  const [mean] = moments(nulls.map((x) => x.mean));
  const [dMean] = moments(nulls.map((x) => x.disjoint));
  const [sMean, sSd] = moments(nulls.map((x) => x.spread));
  // The members' spreads against random groups' (a normal tail on the random groups' spread of
  // each: a mean over many pairs is close to normal under the null). Slices lie further apart than
  // strangers' topics, samples of one source closer than strangers' prompts; two tests, so the
  // smaller p counts twice.
  const pSlices = normalSurvival((observed.spread - sMean) / Math.max(sSd, 1e-3));
  // Random groups whose accounts hold too few prompts to compare give no spread; the test needs
  // most of them.
  const sourceNulls = nullSources.filter(Number.isFinite);
  const [kMean, kSd] = sourceNulls.length >= NULL_GROUPS / 2 ? moments(sourceNulls) : [NaN, NaN];
  const pSource =
    Number.isFinite(observedSource) && Number.isFinite(kMean)
      ? normalSurvival((kMean - observedSource) / Math.max(kSd, 1e-3))
      : 1;
  const pattern = pSource < pSlices ? 'one-source' : 'slices';
  const p = Math.min(1, Math.max(1e-30, 2 * Math.min(pSlices, pSource)));
  if (!(p <= COVERAGE_MAX_P)) return undefined;
  const examples = tested.slice(0, 3).flatMap((id) =>
    accounts
      .get(id)!
      .samples.items.slice(0, 1)
      .map((x) => x.id),
  );
  return {
    members,
    coverage: {
      p,
      overlap: observed.mean,
      nullOverlap: mean,
      disjoint: observed.disjoint,
      nullDisjoint: dMean,
      spread: observed.spread,
      nullSpread: sMean,
      pattern,
      sourceSpread: observedSource,
      nullSourceSpread: kMean,
      tested: tested.length,
      domains,
      topicEvents,
      requests,
      followUps,
    },
    examples,
  };
}

const COVERAGE_DETECTOR: Detector = {
  id: 'complementary-coverage',
  title: 'Members partition a task space between them',
  atlas: ATLAS.replicate,
  family: 'extraction',
  measure: () => null,
};

const SOURCE_DETECTOR: Detector = {
  id: 'common-task-source',
  title: 'Members draw their prompts from one task source',
  atlas: ATLAS.replicate,
  family: 'extraction',
  measure: () => null,
};

const JOINT_DETECTOR: Detector = {
  id: 'joint-rare-attributes',
  title: 'Weak attributes rare together',
  atlas: ATLAS.inferenceApi,
  family: 'behaviour',
  measure: () => null,
};

/** The lines a coordinated group brings to its cluster (docs/detectors.md lists each). */
export const COORDINATION_DETECTORS: readonly Detector[] = [
  COVERAGE_DETECTOR,
  SOURCE_DETECTOR,
  JOINT_DETECTOR,
];

const pctOf = (x: number): string => `${Math.round(100 * x)} %`;
const strengthOf = (p: number): number => Math.min(30, -Math.log10(Math.max(p, 1e-300)));

/** A coordinated group's two lines of evidence, as cluster-level detector results. */
export function coordinationResults(e: CoordinationEvidence): DetectorResult[] {
  const c = e.coverage;
  const jointP = Math.max(1e-300, 10 ** e.joint.log10p);
  const sweep = `${e.members.length} accounts sending task-style prompts (${c.followUps} follow-ups in ${c.requests} requests) cover ${c.domains.length} of ${TOPIC_NAMES.length} capability domains between them (${c.domains.slice(0, 8).join(', ')})`;
  const content: DetectorResult =
    c.pattern === 'slices'
      ? {
          detector: COVERAGE_DETECTOR,
          p: c.p,
          strength: strengthOf(c.p),
          measurement: {
            stats: [{ kind: 'test', key: 'memberTopicOverlap', p: c.p, n: c.topicEvents }],
            evidence: `${sweep}, yet each keeps to its own part: two of them share ${pctOf(c.overlap)} of their topics on average against ${pctOf(c.nullOverlap)} in random groups of ${c.tested} accounts of the same activity, their topic mixes lie ${c.spread.toFixed(2)} apart (mean squared distance) against ${c.nullSpread.toFixed(2)}, and ${pctOf(c.disjoint)} of pairs have almost no topic in common (at most ${pctOf(DISJOINT)}) against ${pctOf(c.nullDisjoint)}: the space is split between them`,
            examples: e.examples,
          },
        }
      : {
          detector: SOURCE_DETECTOR,
          p: c.p,
          strength: strengthOf(c.p),
          measurement: {
            stats: [{ kind: 'test', key: 'memberSourceSpread', p: c.p, n: c.topicEvents }],
            evidence: `${sweep}, and each sends a sample of the same task source: two members' prompt distributions lie ${c.sourceSpread.toFixed(3)} apart (squared distance of kernel mean embeddings, less what their sample sizes put there by chance; 0 for two samples of one source) against ${c.nullSourceSpread.toFixed(3)} in random groups of ${c.tested} accounts of the same activity, where each person asks about their own things; two of them share ${pctOf(c.overlap)} of their topics on average against ${pctOf(c.nullOverlap)}`,
            examples: e.examples,
          },
        };
  return [
    content,
    {
      detector: JOINT_DETECTOR,
      p: jointP,
      strength: strengthOf(jointP),
      measurement: {
        stats: [{ kind: 'test', key: 'jointWeakAttributes', p: jointP, n: e.joint.holders }],
        evidence: `${e.joint.holders} accounts share ${e.joint.description}; ${e.joint.basis ?? 'from how common each is alone'}, ${e.joint.expected.toFixed(2)} would be expected${byChance(e.joint.expected)}${e.cohort ? cohortText(e.cohort, c.pattern) : ''}${e.fellows ? `. ${e.fellows.length} more, signed up outside that span, are linked (shared templates or set-up) into communities most of whose accounts are members, send only one-shot task prompts and are ${likeText(c.pattern)}: members too` : ''}${e.recipe ? recipeText(e.recipe, c.pattern) : ''}`,
        examples: [],
      },
    },
  ];
}

/**
 * What the expectation means for the members: as many holders as chance predicts are likely people
 * who happen to share the combination (every ordinary account a coordinated group put at review on
 * the seed-task corpus runs, corpus seeds 21–24, was one), so the reviewer checks each on its own.
 */
function byChance(expected: number): string {
  const n = Math.round(expected);
  return n >= 1
    ? `, so about ${n} of them may hold it by chance: each member is checked on its own before any action`
    : '';
}

function cohortText(c: CohortMates, pattern: CoordinationEvidence['coverage']['pattern']): string {
  const which = c.narrow
    ? 'send only one-shot task prompts and keep, as each member does, to one slice of the topics the members cover'
    : 'send only one-shot task prompts';
  return `. Between ${c.from} and ${c.to}, when these signed up, ${c.taskStyle} of the ${c.signedUp} other accounts that signed up ${which}, where ${c.expected.toFixed(2)} would be expected from the share of such accounts among all; ${c.added.length} of them, ${likeText(pattern)}, are members too`;
}

function recipeText(r: RecipeMates, pattern: CoordinationEvidence['coverage']['pattern']): string {
  const who = r.added.map(
    (a) =>
      `${a.id} (${a.templates.join(', ')}; as ${a.with.slice(0, 3).join(', ')}${a.with.length > 3 ? ` and ${a.with.length - 3} more` : ''})`,
  );
  return `. Between ${r.from} and ${r.to} (the members' sign-ups widened by their mean gap on each side), ${r.found} of the ${r.signedUp} accounts in no cluster that signed up send only one-shot task prompts and re-use at least two of the members' prompt templates, where ${r.expected.toFixed(2)} would be expected from ${r.outsideFound} of the ${r.outside} that signed up outside that window (Poisson p = ${(10 ** r.log10p).toExponential(1)}); ${r.added.length} of them, whose templates are rare outside the window${pattern === 'one-source' ? ` and ${likeText(pattern)}` : ''}, are members too: ${who.join('; ')}`;
}

/** Sign-up windows a cohort is looked for in: an operator creates its accounts within days or weeks. */
const COHORT_WINDOWS_DAYS = [1, 3, 7, 14, 28] as const;
const DAY_MS = 86_400_000;

/**
 * Each sign-up address's network: the AS that the population's own traffic shows announcing its
 * /24 (most requests from it), else the /24 itself. A VPN provider's or ISP's customers sign up
 * from many /24s of one network, so /24s alone split one operator's cohort into cells too small
 * to notice.
 */
function signupNetworks(
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
): Map<string, string> {
  const wanted = new Set<string>();
  for (const id of accounts.keys()) {
    const ip = records.get(id)?.signup_ip;
    const p = ip ? ipPrefix(ip) : null;
    if (p) wanted.add(p);
  }
  const votes = new Map<string, Map<string, number>>();
  for (const s of accounts.values())
    for (const [pair, count] of s.prefixAsns.entries()) {
      const cut = pair.lastIndexOf(' ');
      const prefix = pair.slice(0, cut);
      if (!wanted.has(prefix)) continue;
      const byAsn = votes.get(prefix) ?? new Map<string, number>();
      byAsn.set(pair.slice(cut + 1), (byAsn.get(pair.slice(cut + 1)) ?? 0) + count);
      votes.set(prefix, byAsn);
    }
  const out = new Map<string, string>();
  for (const p of wanted) {
    const best = [...(votes.get(p) ?? [])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    out.set(p, best ? `AS${best[0]}` : p);
  }
  return out;
}

/**
 * Sign-up cohorts: accounts created within a few days of each other on one network, far more of
 * them than the network's own share of all sign-ups predicts for that window. The expectation is
 * the network's share of the population's sign-ups times the sign-ups in the window, so a big ISP
 * or VPN whose customers sign up every week at its usual rate forms no cohort, and a busy week
 * (a launch) raises every network's expectation alike. A scan over windows, Bonferroni-corrected
 * over every window tried; the most improbable window per network is kept.
 */
export function signupCohorts(
  ids: readonly string[],
  records: ReadonlyMap<string, AccountRecord>,
  networks: ReadonlyMap<string, string>,
): RareKey[] {
  return cohortsBy(ids, records, 'a sign-up network', (id, r) => {
    const p = r.signup_ip ? ipPrefix(r.signup_ip) : null;
    return p ? (networks.get(p) ?? p) : undefined;
  });
}

/**
 * Client cohorts: accounts created within a few days of each other whose traffic comes mostly
 * from one client string, far more than that client's share of all sign-ups predicts for those
 * days. The same scan as sign-up cohorts, on the other weak attribute an operator's accounts
 * share when they sign up from their own home networks: one SDK build. An SDK's users signed up
 * over years, so its share of a week's sign-ups is its share of all; an operator's accounts are
 * created together. Client × calendar week (PAIRS) splits a cohort spanning a week boundary.
 */
export function clientCohorts(
  ids: readonly string[],
  records: ReadonlyMap<string, AccountRecord>,
  clients: ReadonlyMap<string, string>,
): RareKey[] {
  return cohortsBy(ids, records, 'a client', (id) => clients.get(id));
}

/** Sign-up cohorts of accounts grouped by `groupOf` (a network, a client), tested as signupCohorts says. */
function cohortsBy(
  ids: readonly string[],
  records: ReadonlyMap<string, AccountRecord>,
  what: string,
  groupOf: (id: string, record: AccountRecord) => string | undefined,
): RareKey[] {
  const signups: { id: string; t: number; net: string }[] = [];
  for (const id of ids) {
    const r = records.get(id);
    const t = r?.created_at ? Date.parse(r.created_at) : NaN;
    const net = r ? groupOf(id, r) : undefined;
    if (!Number.isFinite(t) || net === undefined) continue;
    signups.push({ id, t, net });
  }
  const N = signups.length;
  if (N < 50) return [];
  signups.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
  const times = signups.map((x) => x.t);
  const byNet = new Map<string, { id: string; t: number }[]>();
  for (const x of signups) {
    const list = byNet.get(x.net) ?? [];
    list.push(x);
    byNet.set(x.net, list);
  }
  let tests = 0;
  const best: { top: RareKey; list: { id: string }[]; windows: [number, number, number][] }[] = [];
  for (const [net, list] of byNet) {
    if (list.length < MIN_MEMBERS) continue;
    const scan = scanWindows(list, times, N, what, net);
    tests += scan.tests;
    if (scan.top) best.push({ top: scan.top, list, windows: scan.windows });
  }
  const bonferroni = Math.log10(Math.max(1, tests));
  const out: RareKey[] = [];
  for (const { top, list, windows } of best) {
    if (top.log10p + bonferroni > KEY_LOG10_P) continue;
    const inBest = new Set(top.holders);
    const also = new Set<string>();
    for (const [i, j, log10p] of windows)
      if (log10p + bonferroni <= KEY_LOG10_P)
        for (let k = i; k < j; k++) if (!inBest.has(list[k]!.id)) also.add(list[k]!.id);
    out.push(
      also.size
        ? {
            ...top,
            alsoIn: [...also],
            description: `${top.description} (and ${also.size} more of its sign-ups in other windows as improbable)`,
          }
        : top,
    );
  }
  return out;
}

/**
 * One network's sign-ups (in time order) scanned with every window length: the most improbable
 * window, the windows improbable before the Bonferroni correction as [first, end, log10 p] (those
 * that stay so after it add their sign-ups to the network's cohort), and how many were tried.
 */
function scanWindows(
  list: readonly { id: string; t: number }[],
  times: readonly number[],
  N: number,
  what: string,
  net: string,
): { top: RareKey | undefined; windows: [number, number, number][]; tests: number } {
  let tests = 0;
  let top: RareKey | undefined;
  const windows: [number, number, number][] = [];
  for (const days of COHORT_WINDOWS_DAYS) {
    // The window's end only moves forward as its start does: one pass per window length, not
    // one walk per sign-up (a large ISP's network holds many thousands).
    let j = 0;
    for (let i = 0; i + MIN_MEMBERS <= list.length; i++) {
      const from = list[i]!.t;
      const to = from + days * DAY_MS;
      if (j < i) j = i;
      while (j < list.length && list[j]!.t < to) j++;
      tests++;
      if (j - i < MIN_MEMBERS) continue;
      // The window opens on one of the network's sign-ups (a scan), so that one is given: the
      // test is on the others, against the network's share of the window's other sign-ups.
      const inWindow = countBelow(times, to) - countBelow(times, from) - 1;
      const expected = ((list.length - 1) * inWindow) / (N - 1);
      const log10p = poissonSurvivalLog10(j - i - 1, expected);
      if (log10p <= KEY_LOG10_P) windows.push([i, j, log10p]);
      if (!top || log10p < top.log10p)
        top = {
          key: `sign-up cohort\u0000${what}\u0000${net}\u0000${days}`,
          holders: list.slice(i, j).map((x) => x.id),
          // Shown beside the holder count, which includes the sign-up the window opens on.
          expected: expected + 1,
          log10p,
          description: `${what}, ${net}, and sign-up within ${days} day${days > 1 ? 's' : ''} from ${new Date(from).toISOString().slice(0, 10)}`,
          basis: `from its share of all sign-ups (${list.length} of ${N}) and the ${inWindow + 1} sign-ups in those days`,
        };
    }
  }
  return { top, windows, tests };
}
