import type { ClusterFinding, LevelGate } from '../contracts/index.js';
import { pText, requestsBehind, type DetectorResult, type LevelThresholds } from '../detect/index.js';
import { attrKey, type Attribute, type PopulationLinkage } from '../link/index.js';
import { CAMPAIGN_MIN_ACCOUNTS, isExtraction } from './account-scoring.js';
import { isAcademicDomain } from './academic-domains.js';

/**
 * A value binds a cluster when most of the accounts holding it anywhere are members: a shared
 * card, template or wrapper few outside the group use. A cloud ASN or a popular client string
 * is held mostly outside any one cluster and binds nothing.
 */
const BINDING_CONCENTRATION = 0.5;
/** Most members must be bound that way (or by synchronised activity) for act on two lines. */
const BINDING_SHARE = 0.5;
/**
 * On two lines, the extraction line must be a substantial part of what the campaign does: behind
 * at least a third of its requests. A class or team whose shared notebook has one step-by-step
 * exercise among several is coordinated and unusual, and pooled over its members that is
 * overwhelming — but it is using the model, not harvesting it. A third, not a half: the line counts
 * only the requests it recognises (slow-and-low on held-out seed 608219: 45 % of its requests, at
 * an elicitation share of 63 %), and a harvest may blend in ordinary traffic; one that blends in
 * more still reaches review, or act on three lines.
 */
const HARVEST_SHARE = 1 / 3;

export const CLUSTER_ACT_RULE =
  'a cluster reaches act at the act strength with three broad lines at the corroboration strength, one of them extraction; or, for a campaign (>= 5 accounts) most of whose members are bound by values rare outside it, with two broad lines each at the act strength, one of them extraction behind at least a third of its requests; never by itself for a group of one academic institution (a person contacts it first)';

/**
 * A class running one notebook (sign-ups in a lab session, one SDK, the instructor's templates,
 * a step-by-step exercise) looks like a small harvesting campaign in every other respect.
 * Members on one academic domain that make a cluster that institution's group: a share, not
 * most — students also sign up with their own addresses. An operator who buys such addresses
 * to stay under act still meets review, where a person acts.
 */
const INSTITUTION_SHARE = 0.1;

/** An academic institution's group, named by its mail domain and the members signed up with it. */
export interface Institution {
  domain: string;
  accounts: number;
}

/** The academic mail domain a tenth or more of the members (two at least) signed up with, if any. */
export function institutionOf(
  members: readonly string[],
  attributes: ReadonlyMap<string, readonly Attribute[]>,
): Institution | null {
  const counts = new Map<string, number>();
  for (const id of members)
    for (const a of attributes.get(id) ?? [])
      if (a.kind === 'email_domain') counts.set(a.value, (counts.get(a.value) ?? 0) + 1);
  return institutionAmong(counts, members.length);
}

/**
 * The same test on a cluster finding, from its `email_domain` links (the findings always list the
 * institution's domain among them), for whoever reads findings: the sharing policy holds such a
 * group back too.
 */
export const institutionOfFinding = (cluster: ClusterFinding): Institution | null =>
  institutionAmong(
    cluster.links.filter((l) => l.kind === 'email_domain').map((l) => [l.value, l.accounts] as const),
    cluster.account_ids.length,
  );

/** An institution among members counted per mail domain: a tenth of them (two at least) on one. */
function institutionAmong(
  accountsPerDomain: Iterable<readonly [string, number]>,
  size: number,
): Institution | null {
  let best: Institution | null = null;
  for (const [domain, accounts] of accountsPerDomain)
    if (
      accounts >= 2 &&
      accounts >= INSTITUTION_SHARE * size &&
      accounts > (best?.accounts ?? 0) &&
      isAcademicDomain(domain)
    )
      best = { domain, accounts };
  return best;
}

/** How many of a cluster's members are tied to another member by a rare, cluster-specific link. */
export interface Binding {
  bound: number;
  members: number;
  /** The binding kinds, most members first. */
  kinds: string[];
}

const holdersCache = new WeakMap<PopulationLinkage, Map<string, number>>();

/** How many accounts of the whole population hold each attribute value. */
function holdersOf(link: PopulationLinkage): Map<string, number> {
  let holders = holdersCache.get(link);
  if (!holders) {
    holders = new Map();
    for (const attrs of link.attributes.values()) {
      for (const key of new Set(attrs.map(attrKey))) holders.set(key, (holders.get(key) ?? 0) + 1);
    }
    holdersCache.set(link, holders);
  }
  return holders;
}

/** Members sharing with another member a value mostly held inside the cluster, or synchronised with one. */
export function rareBinding(members: readonly string[], link: PopulationLinkage): Binding {
  const holders = holdersOf(link);
  const inside = new Map<string, string[]>();
  for (const id of members) {
    for (const a of link.attributes.get(id) ?? []) {
      const key = attrKey(a);
      const list = inside.get(key) ?? [];
      if (list[list.length - 1] !== id) list.push(id);
      inside.set(key, list);
    }
  }
  const bound = new Set<string>();
  const kindCount = new Map<string, number>();
  for (const [key, ids] of inside) {
    if (ids.length < 2 || ids.length < BINDING_CONCENTRATION * (holders.get(key) ?? ids.length)) continue;
    const kind = key.slice(0, key.indexOf('\u0000'));
    kindCount.set(kind, (kindCount.get(kind) ?? 0) + ids.length);
    for (const id of ids) bound.add(id);
  }
  const set = new Set(members);
  let synced = 0;
  for (const l of link.synchronised) {
    if (set.has(l.a) && set.has(l.b)) {
      synced++;
      bound.add(l.a);
      bound.add(l.b);
    }
  }
  if (synced) kindCount.set('sync_activity', synced);
  const kinds = [...kindCount.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  return { bound: bound.size, members: members.length, kinds };
}

/** An academic institution's group: act, if its lines reach it, waits for a person to contact the institution. */
export function withInstitutionHold(
  gate: LevelGate,
  institution: Institution | null,
  size: number,
): LevelGate {
  if (!institution) return gate;
  const members = `${institution.accounts} of ${size} members signed up with ${institution.domain}, an academic institution's mail domain`;
  // Said either way: whoever reviews the group knows whom to contact.
  return gate.passed
    ? {
        ...gate,
        passed: false,
        detail: `${gate.detail}; but ${members}: a person contacts the institution before act`,
      }
    : { ...gate, detail: `${gate.detail}; ${members}` };
}

/**
 * Act for a cluster, on its broad pooled lines (most members show each on their own). Three
 * moderate lines with extraction among them, as before; or two overwhelming ones across a
 * campaign bound by rare links: two independent lines at p ≤ 1e-12 over dozens of accounts that
 * share what few others share are stronger evidence than three moderate lines on one account.
 */
export function clusterActGate(
  results: readonly DetectorResult[],
  support: ReadonlyMap<string, number>,
  size: number,
  binding: Binding,
  t: LevelThresholds,
  requests: number,
): LevelGate {
  const strong = results.filter((r) => r.strength >= t.corroborate).sort((a, b) => b.strength - a.strength);
  const gate = (passed: boolean, detail: string): LevelGate => ({ passed, rule: CLUSTER_ACT_RULE, detail });
  const line = (r: DetectorResult): string =>
    `${r.detector.id} (${r.detector.family}) ${pText(r.strength)}, ${Math.round((support.get(r.detector.id) ?? 0) * 100)} % of members on their own`;
  if (strong.length >= 3 && strong.some(isExtraction))
    return gate(true, `three broad lines: ${strong.map(line).join('; ')}`);
  const overwhelming = strong.filter((r) => r.strength >= t.act);
  // The extraction line behind the most requests: the act rests on what the campaign does.
  const extraction = overwhelming
    .filter(isExtraction)
    .sort((a, b) => requestsBehind(b) - requestsBehind(a) || b.strength - a.strength)[0];
  const second = overwhelming.find((r) => r !== extraction);
  const harvested = extraction ? requestsBehind(extraction) : 0;
  const harvestText = `${harvested} of ${requests} requests`;
  const boundShare = binding.members ? binding.bound / binding.members : 0;
  const bindingText = `${binding.bound} of ${binding.members} members bound by rare links${binding.kinds.length ? ` (${binding.kinds.slice(0, 3).join(', ')})` : ''}`;
  const substantial = harvested >= HARVEST_SHARE * requests;
  if (extraction && second && size >= CAMPAIGN_MIN_ACCOUNTS && boundShare >= BINDING_SHARE && substantial)
    return gate(
      true,
      `two overwhelming broad lines across ${size} accounts: ${line(extraction)}, behind ${harvestText}; ${line(second)}; ${bindingText}`,
    );
  const missing: string[] = [];
  if (!extraction) missing.push(`no broad extraction line at ${pText(t.act).replace('≈', ' ≤ ')}`);
  else if (!second) missing.push(`only one overwhelming line (${line(extraction)})`);
  if (size < CAMPAIGN_MIN_ACCOUNTS)
    missing.push(`${size} accounts, fewer than a campaign's ${CAMPAIGN_MIN_ACCOUNTS}`);
  if (boundShare < BINDING_SHARE) missing.push(`only ${bindingText}`);
  if (extraction && !substantial && size >= CAMPAIGN_MIN_ACCOUNTS)
    missing.push(`its extraction line is behind ${harvestText}, under a third of what the campaign sends`);
  return gate(
    false,
    `needs three broad lines at ${pText(t.corroborate).replace('≈', ' ≤ ')} with extraction (has ${strong.length}), or two overwhelming ones across a campaign bound by rare links: ${missing.join('; ') || 'not met'}`,
  );
}
