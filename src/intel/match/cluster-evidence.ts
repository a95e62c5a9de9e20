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

export class ClusterEvidenceCollector {
  private readonly byAccount = new Map<string, ClusterEvidence>();
  readonly clusters = new Map<string, ClusterEvidence>();
  /** Requests from accounts outside every cluster, per template key: how common a wrapper is locally. */
  readonly background = new Map<string, number>();
  backgroundEvents = 0;

  constructor(findings: Findings) {
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

  addAccount(a: AccountRecord): void {
    const ev = this.byAccount.get(a.account_id);
    if (!ev) return;
    note(ev.paymentFingerprints, a.payment_fingerprint, a.account_id);
    note(ev.emailHashes, a.email_hash, a.account_id);
    note(ev.emailDomains, a.email_domain, a.account_id);
    if (a.signup_ip) note(ev.ipPrefixes, ipPrefix(a.signup_ip), a.account_id);
  }

  addEvent(e: ApiEvent): void {
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
