import type { AccountRecord, ApiEvent, Findings } from '../../contracts/index.js';
import { ipPrefix } from '../../text/index.js';
import {
  elicitationPhrase,
  templateFingerprints,
  userPrompt,
  type TemplateFingerprint,
} from './prompt-features.js';

/** Per-cluster tallies from raw traffic, bounded so a huge campaign cannot exhaust memory. */
export interface ClusterEvidence {
  clusterId: string;
  accounts: Set<string>;
  events: number;
  firstSeen?: string;
  lastSeen?: string;
  /** value -> accounts that used it */
  ipPrefixes: Map<string, Set<string>>;
  asns: Map<string, Set<string>>;
  userAgents: Map<string, Set<string>>;
  paymentFingerprints: Map<string, Set<string>>;
  emailHashes: Map<string, Set<string>>;
  emailDomains: Map<string, Set<string>>;
  templates: Map<string, { fp: TemplateFingerprint; accounts: Set<string>; events: number }>;
  phrases: Map<string, { accounts: Set<string>; events: number }>;
  examplePrompts: string[];
}

const MAX_VALUES = 2000;
const MAX_EXAMPLES = 3;

function note(map: Map<string, Set<string>>, value: string | null | undefined, account: string): void {
  if (!value) return;
  const s = map.get(value);
  if (s) s.add(account);
  else if (map.size < MAX_VALUES) map.set(value, new Set([account]));
}

const MAX_BACKGROUND_KEYS = 500_000;
/** (attribute, account) pairs remembered to count each holder once; beyond, counts are lower bounds. */
const MAX_HOLDER_PAIRS = 4_000_000;

/** Attributes an indicator can be written for, as rarity counts them. */
export type HolderKind = 'ip_prefix' | 'asn' | 'user_agent' | 'payment' | 'email' | 'email_domain';

/** How many of the publisher's accounts outside the shared campaigns hold a value. */
export interface AttributeRarity {
  /** Accounts outside the shared campaigns that were seen (traffic or accounts file). */
  accounts: number;
  /** Undefined when the count is unknown (findings from before links carried `holders`). */
  holders(kind: HolderKind, value: string): number | undefined;
  /** True when more pairs were seen than remembered: holder counts are then lower bounds. */
  saturated: boolean;
}

/** 31-bit FNV-1a: small integers keep the pair set compact; a rare collision only drops one holder. */
function hash31(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 1;
}

export class ClusterEvidenceCollector {
  private readonly byAccount = new Map<string, ClusterEvidence>();
  readonly clusters = new Map<string, ClusterEvidence>();
  /** Requests from accounts outside every cluster, per template key: how common a wrapper is locally. */
  readonly background = new Map<string, number>();
  backgroundEvents = 0;
  /** Accounts of the campaigns being shared: everyone else is the publisher's other traffic. */
  private readonly campaignAccounts = new Set<string>();
  private readonly holderCounts = new Map<string, number>();
  private readonly holderPairs = new Set<number>();
  private readonly outsideAccounts = new Set<number>();
  private holdersSaturated = false;

  /**
   * `campaigns`: the cluster ids being shared (default: every cluster). Attribute rarity is
   * counted over the accounts outside them.
   */
  constructor(findings: Findings, campaigns?: ReadonlySet<string>) {
    for (const c of findings.clusters)
      if (!campaigns || campaigns.has(c.cluster_id))
        for (const a of c.account_ids) this.campaignAccounts.add(a);
    for (const c of findings.clusters) {
      const ev: ClusterEvidence = {
        clusterId: c.cluster_id,
        accounts: new Set(c.account_ids),
        events: 0,
        ipPrefixes: new Map(),
        asns: new Map(),
        userAgents: new Map(),
        paymentFingerprints: new Map(),
        emailHashes: new Map(),
        emailDomains: new Map(),
        templates: new Map(),
        phrases: new Map(),
        examplePrompts: [],
      };
      this.clusters.set(c.cluster_id, ev);
      for (const a of c.account_ids) this.byAccount.set(a, ev);
    }
  }

  /** Rarity of attribute values in the publisher's traffic outside the shared campaigns. */
  get rarity(): AttributeRarity {
    return {
      accounts: this.outsideAccounts.size,
      holders: (kind, value) => this.holderCounts.get(`${kind}\0${holderValue(kind, value)}`) ?? 0,
      saturated: this.holdersSaturated,
    };
  }

  private hold(kind: HolderKind, value: string | null | undefined, account: string): void {
    if (!value || this.campaignAccounts.has(account)) return;
    const key = `${kind}\0${holderValue(kind, value)}`;
    const pair = hash31(`${key}\0${account}`);
    if (this.holderPairs.has(pair)) return;
    if (this.holderPairs.size >= MAX_HOLDER_PAIRS) {
      this.holdersSaturated = true;
      return;
    }
    this.holderPairs.add(pair);
    this.holderCounts.set(key, (this.holderCounts.get(key) ?? 0) + 1);
  }

  private outside(account: string): boolean {
    if (this.campaignAccounts.has(account)) return false;
    if (this.outsideAccounts.size < MAX_HOLDER_PAIRS) this.outsideAccounts.add(hash31(account));
    return true;
  }

  addAccount(a: AccountRecord): void {
    if (this.outside(a.account_id)) {
      this.hold('payment', a.payment_fingerprint, a.account_id);
      this.hold('email', a.email_hash, a.account_id);
      this.hold('email_domain', a.email_domain, a.account_id);
      if (a.signup_ip) this.hold('ip_prefix', ipPrefix(a.signup_ip), a.account_id);
    }
    const ev = this.byAccount.get(a.account_id);
    if (!ev) return;
    note(ev.paymentFingerprints, a.payment_fingerprint, a.account_id);
    note(ev.emailHashes, a.email_hash, a.account_id);
    note(ev.emailDomains, a.email_domain, a.account_id);
    if (a.signup_ip) note(ev.ipPrefixes, ipPrefix(a.signup_ip), a.account_id);
  }

  addEvent(e: ApiEvent): void {
    if (this.outside(e.account_id)) {
      if (e.client?.ip) this.hold('ip_prefix', ipPrefix(e.client.ip), e.account_id);
      if (e.client?.asn !== undefined) this.hold('asn', String(e.client.asn), e.account_id);
      this.hold('user_agent', e.client?.user_agent, e.account_id);
      if (e.account) this.addAccount({ ...e.account, account_id: e.account_id });
    }
    const ev = this.byAccount.get(e.account_id);
    if (!ev) {
      this.backgroundEvents++;
      const prompt = userPrompt(e);
      for (const fp of prompt ? templateFingerprints(prompt) : []) {
        const n = this.background.get(fp.minhash);
        if (n !== undefined) this.background.set(fp.minhash, n + 1);
        else if (this.background.size < MAX_BACKGROUND_KEYS) this.background.set(fp.minhash, 1);
      }
      return;
    }
    const acct = e.account_id;
    ev.events++;
    if (!ev.firstSeen || e.ts < ev.firstSeen) ev.firstSeen = e.ts;
    if (!ev.lastSeen || e.ts > ev.lastSeen) ev.lastSeen = e.ts;
    if (e.client?.ip) note(ev.ipPrefixes, ipPrefix(e.client.ip), acct);
    if (e.client?.asn !== undefined) note(ev.asns, String(e.client.asn), acct);
    note(ev.userAgents, e.client?.user_agent, acct);
    if (e.account) this.addAccount({ ...e.account, account_id: acct });
    const prompt = userPrompt(e);
    if (!prompt) return;
    for (const fp of templateFingerprints(prompt)) {
      const t = ev.templates.get(fp.minhash);
      if (t) {
        t.accounts.add(acct);
        t.events++;
      } else if (ev.templates.size < MAX_VALUES)
        ev.templates.set(fp.minhash, { fp, accounts: new Set([acct]), events: 1 });
    }
    const phrase = elicitationPhrase(prompt);
    if (phrase) {
      const p = ev.phrases.get(phrase);
      if (p) {
        p.accounts.add(acct);
        p.events++;
      } else if (ev.phrases.size < MAX_VALUES)
        ev.phrases.set(phrase, { accounts: new Set([acct]), events: 1 });
    }
    if (ev.examplePrompts.length < MAX_EXAMPLES) ev.examplePrompts.push(prompt);
  }
}

/** E-mail domains compare case-insensitively (as linkage keys them). */
const holderValue = (kind: HolderKind, value: string): string =>
  kind === 'email_domain' ? value.toLowerCase() : value;

/** Cluster link kinds that name an attribute an indicator is written for, as rarity counts it. */
const LINK_HOLDER_KIND: Readonly<Record<string, HolderKind>> = {
  ip_prefix: 'ip_prefix',
  signup_ip_prefix: 'ip_prefix',
  asn: 'asn',
  user_agent: 'user_agent',
  payment_fingerprint: 'payment',
  email_domain: 'email_domain',
};

/**
 * Rarity from the findings alone, when no traffic or accounts are given: each link's population
 * count (`holders`) less the shared campaigns' members that hold it, over the population
 * (`input.accounts`) less those members. Errs towards common: a member holding a value its
 * campaign does not list counts as outside, and a prefix's count adds its sign-up and traffic
 * holders (analyze counts both into the link). Links without `holders` (older findings) leave the count unknown.
 */
export function findingsRarity(findings: Findings, campaigns: ReadonlySet<string>): AttributeRarity {
  const population = new Map<string, number>();
  const inside = new Map<string, number>();
  const members = new Set<string>();
  for (const c of findings.clusters) {
    const shared = campaigns.has(c.cluster_id);
    if (shared) for (const a of c.account_ids) members.add(a);
    for (const l of c.links) {
      const kind = Object.hasOwn(LINK_HOLDER_KIND, l.kind) ? LINK_HOLDER_KIND[l.kind] : undefined;
      if (!kind || l.holders === undefined) continue;
      const key = `${l.kind}\0${holderValue(kind, l.value)}`;
      population.set(key, Math.max(population.get(key) ?? 0, l.holders));
      if (shared) inside.set(key, (inside.get(key) ?? 0) + l.accounts);
    }
  }
  const outside = new Map<string, number>();
  for (const [key, n] of population) {
    const [linkKind, value] = key.split('\0') as [string, string];
    const k = `${LINK_HOLDER_KIND[linkKind]!}\0${value}`;
    outside.set(k, Math.max(outside.get(k) ?? 0, n - (inside.get(key) ?? 0)));
  }
  return {
    accounts: Math.max(0, findings.input.accounts - members.size),
    holders: (kind, value) => outside.get(`${kind}\0${holderValue(kind, value)}`),
    saturated: false,
  };
}
