import type { ClusterFinding } from '../../contracts/index.js';
import type { AttributeRarity, ClusterEvidence, HolderKind } from '../match/cluster-evidence.js';
import { keyedHash, type CommunityKeyRing, type KeyedKind } from '../match/community-key.js';
import { ipFamily } from '../../text/index.js';
import type { SharingPolicy, Withheld } from '../policy/sharing-policy.js';
import { scrubText } from '../policy/scrub.js';
import { DG_EXTENSION_ID } from './extension.js';

// Cluster evidence -> the observables an indicator is written for, pseudonymised by policy.

/** Indicator kinds DistillGuard writes; the extension's `kind` tells the matcher how to compare. */
export type IndicatorKind =
  | 'ip_prefix'
  | 'ip_prefix_hmac'
  | 'asn'
  | 'user_agent'
  | 'payment_fingerprint_hmac'
  | 'email_hmac'
  | 'email_domain_hmac'
  | 'template'
  | 'elicitation_phrase';

export interface IndicatorSpec {
  kind: IndicatorKind;
  name: string;
  pattern: string;
  ext: Record<string, unknown>;
  accounts: number;
  /** Stable identity of the observable, for the object id. */
  key: string;
  /** What an analyst reading the bundle should know: what it is and how rare it is at the publisher. */
  description: string;
  /** The attribute in clear, for the rarity check (never exported as such). */
  holder?: { kind: HolderKind; value: string };
}

/** Template use outside the clusters (key -> requests, and the total), to publish only rare wrappers. */
export interface Background {
  counts: Map<string, number>;
  events: number;
}

/** What indicatorSpecs needs beside the cluster: keys, policy, and where to note what it held back. */
export interface SpecContext {
  ring: CommunityKeyRing;
  policy: SharingPolicy;
  background: Background | undefined;
  withheld: Withheld[];
  campaignId: string;
  /** How many of the publisher's accounts outside the shared campaigns hold each attribute. */
  rarity: AttributeRarity | undefined;
}

/** STIX pattern string literal: backslashes and quotes escaped. */
export const stixString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const extPath = (prop: string): string => `extensions.'${DG_EXTENSION_ID}'.${prop}`;

/** Values used by several of the cluster's accounts: shared infrastructure, not one user's. */
function shared(map: Map<string, Set<string>>, clusterSize: number, limit = 10): [string, number][] {
  const min = Math.max(2, Math.ceil(clusterSize * 0.05));
  return [...map.entries()]
    .map(([v, s]): [string, number] => [v, s.size])
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
}

/** Observed value -> accounts seen using it, per kind of infrastructure. */
interface Observables {
  prefixes: Map<string, number>;
  asns: Map<string, number>;
  uas: Map<string, number>;
  payments: Map<string, number>;
  emails: Map<string, number>;
  domains: Map<string, number>;
}

/** Links the detector found, then the same kinds from traffic; keyed on value so they merge. */
function observablesOf(cluster: ClusterFinding, ev: ClusterEvidence | undefined): Observables {
  const o: Observables = {
    prefixes: new Map(),
    asns: new Map(),
    uas: new Map(),
    payments: new Map(),
    emails: new Map(),
    domains: new Map(),
  };
  const byLink: Record<string, Map<string, number>> = {
    ip_prefix: o.prefixes,
    signup_ip_prefix: o.prefixes,
    asn: o.asns,
    user_agent: o.uas,
    payment_fingerprint: o.payments,
    email_domain: o.domains,
  };
  for (const l of cluster.links) {
    const target = Object.hasOwn(byLink, l.kind) ? byLink[l.kind] : undefined;
    if (target) target.set(l.value, Math.max(target.get(l.value) ?? 0, l.accounts));
  }
  if (!ev) return o;
  const size = cluster.account_ids.length;
  const fromTraffic: [Map<string, Set<string>>, Map<string, number>][] = [
    [ev.ipPrefixes, o.prefixes],
    [ev.asns, o.asns],
    [ev.userAgents, o.uas],
    [ev.paymentFingerprints, o.payments],
    [ev.emailHashes, o.emails],
    [ev.emailDomains, o.domains],
  ];
  for (const [seen, target] of fromTraffic)
    for (const [v, n] of shared(seen, size)) target.set(v, Math.max(target.get(v) ?? 0, n));
  return o;
}

/** Network prefixes: in clear only when the policy allows, else as keyed hashes (and noted). */
function prefixSpecs(prefixes: Map<string, number>, c: SpecContext): IndicatorSpec[] {
  const key = c.ring.current;
  const specs: IndicatorSpec[] = [];
  for (const [prefix, n] of prefixes) {
    const fam = ipFamily(prefix);
    if (!fam) continue;
    const scheme = fam === 4 ? 'ipv4-addr' : 'ipv6-addr';
    if (c.policy.share_ip_in_clear) {
      specs.push({
        kind: 'ip_prefix',
        key: prefix,
        name: `Proxy network ${prefix}`,
        pattern: `[${scheme}:value ISSUBSET ${stixString(prefix)}]`,
        ext: { kind: 'ip_prefix', value: prefix, accounts_seen: n },
        accounts: n,
        description: `Network prefix ${prefix} the campaign's accounts sent requests from.`,
        holder: { kind: 'ip_prefix', value: prefix },
      });
    } else {
      const h = keyedHash('ip_prefix', prefix, key);
      specs.push({
        kind: 'ip_prefix_hmac',
        key: h,
        name: `Proxy network (IPv${fam} prefix, keyed hash)`,
        pattern: `[${scheme}:${extPath('prefix_hmac')} = ${stixString(h)}]`,
        ext: { kind: 'ip_prefix_hmac', hmac: h, key_id: key.id, accounts_seen: n },
        accounts: n,
        description: `An IPv${fam} network prefix the campaign's accounts sent requests from, as a keyed hash under community key ${key.id}.`,
        holder: { kind: 'ip_prefix', value: prefix },
      });
    }
  }
  if (!c.policy.share_ip_in_clear && prefixes.size > 0)
    c.withheld.push({
      object: c.campaignId,
      type: 'indicator',
      property: 'ip prefixes in clear',
      reason: `${prefixes.size} network prefixes leave as keyed hashes only (policy share_ip_in_clear: false)`,
    });
  return specs;
}

/** Autonomous systems and client user agents, in clear (user agents scrubbed). */
function clientSpecs(o: Observables): IndicatorSpec[] {
  const specs: IndicatorSpec[] = [];
  for (const [asn, n] of o.asns)
    specs.push({
      kind: 'asn',
      key: asn,
      name: `Proxy network AS${asn}`,
      pattern: `[autonomous-system:number = ${Number(asn)}]`,
      ext: { kind: 'asn', value: asn, accounts_seen: n },
      accounts: n,
      description: `Autonomous system AS${asn} the campaign's accounts sent requests from.`,
      holder: { kind: 'asn', value: asn },
    });
  for (const [ua, n] of o.uas)
    specs.push({
      kind: 'user_agent',
      key: ua,
      name: 'Harvesting client user agent',
      pattern: `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ${stixString(scrubText(ua))}]`,
      ext: { kind: 'user_agent', value: scrubText(ua), accounts_seen: n },
      accounts: n,
      description: "HTTP client user agent the campaign's accounts sent requests with.",
      holder: { kind: 'user_agent', value: ua },
    });
  return specs;
}

/** Payment instruments and sign-up e-mails: only ever as keyed hashes. */
function keyedSpecs(o: Observables, ring: CommunityKeyRing): IndicatorSpec[] {
  const key = ring.current;
  const keyed: [Map<string, number>, KeyedKind, IndicatorKind, string, string, HolderKind, string][] = [
    [
      o.payments,
      'payment_fingerprint',
      'payment_fingerprint_hmac',
      'Shared payment instrument (keyed hash)',
      'user-account',
      'payment',
      "A payment instrument several of the campaign's accounts paid with",
    ],
    [
      o.emails,
      'email',
      'email_hmac',
      'Shared sign-up e-mail (keyed hash)',
      'email-addr',
      'email',
      "A sign-up e-mail address several of the campaign's accounts used",
    ],
    [
      o.domains,
      'email_domain',
      'email_domain_hmac',
      'Shared sign-up e-mail domain (keyed hash)',
      'email-addr',
      'email_domain',
      "A sign-up e-mail domain the campaign's accounts used",
    ],
  ];
  const specs: IndicatorSpec[] = [];
  for (const [map, kk, kind, name, sco, holderKind, what] of keyed)
    for (const [v, n] of map) {
      const h = keyedHash(kk, v, key);
      specs.push({
        kind,
        key: h,
        name,
        pattern: `[${sco}:${extPath(kind)} = ${stixString(h)}]`,
        ext: { kind, hmac: h, key_id: key.id, accounts_seen: n },
        accounts: n,
        description: `${what}, as a keyed hash under community key ${key.id}.`,
        holder: { kind: holderKind, value: v },
      });
    }
  return specs;
}

/**
 * Campaigns rotate several wrappers: a template counts when a few accounts share it and it is
 * rare in the rest of the publisher's traffic (so a common task opening is not shared).
 */
function templateSpecs(
  ev: ClusterEvidence,
  size: number,
  minEvents: number,
  c: SpecContext,
): IndicatorSpec[] {
  const { background } = c;
  const rareOutside = (key: string): boolean =>
    !background || (background.counts.get(key) ?? 0) <= Math.max(1, background.events * 0.0005);
  return [...ev.templates.values()]
    .filter((t) => t.accounts.size >= Math.min(3, size) && t.events >= minEvents && rareOutside(t.fp.minhash))
    .sort((a, b) => b.events - a.events)
    .slice(0, 10)
    .map((t): IndicatorSpec => ({
      kind: 'template',
      key: t.fp.minhash,
      name: 'Prompt-template fingerprint (MinHash with LSH band keys)',
      pattern: `[artifact:${extPath('lsh_band_keys')}[*] IN (${t.fp.lshBandKeys.map(stixString).join(', ')})]`,
      ext: {
        kind: 'template',
        edge: t.fp.edge,
        minhash: t.fp.minhash,
        lsh_band_keys: t.fp.lshBandKeys,
        accounts_seen: t.accounts.size,
        ...(c.policy.share_prompts_verbatim ? { skeleton: scrubText(t.fp.skeleton) } : {}),
      },
      accounts: t.accounts.size,
      description: background
        ? `A prompt wrapper (template) the campaign's accounts reuse; ${background.counts.get(t.fp.minhash) ?? 0} of the publisher's ${background.events} requests outside its clusters used it.`
        : "A prompt wrapper (template) the campaign's accounts reuse.",
    }));
}

/** The cluster's most used reasoning-elicitation phrasings, when the policy shares them. */
function phraseSpecs(ev: ClusterEvidence, minEvents: number, c: SpecContext): IndicatorSpec[] {
  const phrases = [...ev.phrases.entries()]
    .filter(([, p]) => p.events >= minEvents)
    .sort((a, b) => b[1].events - a[1].events)
    .slice(0, 3);
  if (!c.policy.share_elicitation_phrasings) {
    if (phrases.length)
      c.withheld.push({
        object: c.campaignId,
        type: 'indicator',
        property: 'elicitation phrasings',
        reason: `${phrases.length} phrasings withheld (policy share_elicitation_phrasings: false)`,
      });
    return [];
  }
  return phrases.map(([phrase, p]): IndicatorSpec => ({
    kind: 'elicitation_phrase',
    key: phrase,
    name: 'Reasoning-trace elicitation phrasing',
    pattern: `[artifact:${extPath('phrase')} = ${stixString(scrubText(phrase))}]`,
    ext: { kind: 'elicitation_phrase', phrase: scrubText(phrase), accounts_seen: p.accounts.size },
    accounts: p.accounts.size,
    description: `A sentence asking for step-by-step reasoning that the campaign's accounts repeated in ${p.events} requests.`,
  }));
}

/**
 * The most of the publisher's other accounts that may hold an attribute it shares: one in a
 * thousand. An indicator is matched against another member's ordinary users; one held more
 * widely would put more than 0.1 % of them under suspicion, the project's own ceiling for
 * ordinary accounts at review or above. At least one holder is tolerated (a coincidence).
 */
export const MAX_HOLDER_SHARE = 0.001;

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * Attributes (networks, ASNs, user agents, payment and e-mail fingerprints) leave only when they
 * are rare among the publisher's accounts outside the shared campaigns, and say how rare; a
 * common one (a big ISP, a stock HTTP library) is withheld with the count. Without traffic or
 * accounts to count on, the findings' link `holders` are counted; without those either, rarity
 * is unknown and attributes stay home.
 */
function rareOnly(specs: IndicatorSpec[], c: SpecContext): IndicatorSpec[] {
  const r = c.rarity;
  const out: IndicatorSpec[] = [];
  for (const spec of specs) {
    if (!spec.holder) {
      out.push(spec);
      continue;
    }
    const label =
      spec.kind === 'user_agent' || spec.kind === 'ip_prefix'
        ? `${spec.name} (${String(spec.ext.value)})`
        : spec.name;
    const held = r && r.accounts > 0 ? r.holders(spec.holder.kind, spec.holder.value) : undefined;
    if (!r || held === undefined) {
      c.withheld.push({
        object: c.campaignId,
        type: 'indicator',
        property: label,
        reason:
          'how rare it is in your other traffic is unknown (pass the traffic and accounts files analysed, or findings from an analyze whose links carry holders)',
      });
      continue;
    }
    const allowed = Math.max(1, Math.floor(r.accounts * MAX_HOLDER_SHARE));
    const share = `${fmt(held)} of ${fmt(r.accounts)} accounts outside the shared campaigns`;
    if (held > allowed) {
      c.withheld.push({
        object: c.campaignId,
        type: 'indicator',
        property: label,
        reason: `held by ${share} (${((100 * held) / r.accounts).toFixed(2)} %, more than ${MAX_HOLDER_SHARE * 100} %): it would match ordinary users`,
      });
      continue;
    }
    out.push({
      ...spec,
      description: `${spec.description} Held by ${share} of the publisher${r.saturated ? ' (at least; the count was capped)' : ''}.`,
    });
  }
  return out;
}

/** Every indicator a cluster yields, in a fixed order: network, clients, keyed, templates, phrasings. */
export function indicatorSpecs(
  cluster: ClusterFinding,
  ev: ClusterEvidence | undefined,
  c: SpecContext,
): IndicatorSpec[] {
  const o = observablesOf(cluster, ev);
  const specs = rareOnly([...prefixSpecs(o.prefixes, c), ...clientSpecs(o), ...keyedSpecs(o, c.ring)], c);
  if (!ev) return specs;
  const minEvents = Math.max(3, Math.ceil(ev.events * 0.005));
  return [
    ...specs,
    ...templateSpecs(ev, cluster.account_ids.length, minEvents, c),
    ...phraseSpecs(ev, minEvents, c),
  ];
}
