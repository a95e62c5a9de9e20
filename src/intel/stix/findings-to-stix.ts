import type { ClusterFinding, Findings, StixObject } from '../../contracts/index.js';
import type { ClusterEvidence } from '../match/cluster-evidence.js';
import { keyedHash, type CommunityKeyRing, type KeyedKind } from '../match/community-key.js';
import { ATLAS_TECHNIQUES, DG_EXTENSION_ID, dgExtension, readDgExtension } from './extension.js';
import { randomId, stableId, stixNow } from './ids.js';
import { ipFamily } from '../../text/index.js';
import type { SharingPolicy, Withheld } from '../policy/sharing-policy.js';
import { scrubText } from '../policy/scrub.js';
import { TLP_IDS, tlpMarkingDefinition } from './tlp.js';

export interface Publisher {
  /** The member's name at the hub; also its STIX identity's name. */
  name: string;
}

export interface BuildInput {
  findings: Findings;
  evidence?: Map<string, ClusterEvidence>;
  /** Template use outside the clusters (key -> requests, and the total), to publish only rare wrappers. */
  background?: { counts: Map<string, number>; events: number };
  publisher: Publisher;
  keyRing: CommunityKeyRing;
  policy: SharingPolicy;
  now?: Date;
}

export interface BuildOutput {
  objects: StixObject[];
  /** What the builder itself held back before the allow-list ran (thresholds, privacy switches). */
  withheld: Withheld[];
}

export const identityIdFor = (name: string): string => stableId('identity', 'member', name);
const BASE_TECHNIQUES = ['AML.T0024.002', 'AML.T0005.001', 'AML.T0040'];

/**
 * The MITRE ATLAS technique as every member writes it: same id, dates and text, so the hub can
 * accept it from anyone (it belongs to no member) and refuse any other content under its id.
 */
export function atlasAttackPattern(atlas: string): StixObject {
  const t = ATLAS_TECHNIQUES[atlas];
  return {
    type: 'attack-pattern',
    spec_version: '2.1',
    id: stableId('attack-pattern', 'mitre-atlas', atlas),
    created: '2026-11-01T00:00:00.000Z',
    modified: '2026-11-01T00:00:00.000Z',
    name: t?.name ?? atlas,
    ...(t ? { description: t.description } : {}),
    external_references: [
      { source_name: 'mitre-atlas', external_id: atlas, url: `https://atlas.mitre.org/techniques/${atlas}` },
    ],
  };
}

/** STIX pattern string literal: backslashes and quotes escaped. */
export const stixString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const extPath = (prop: string): string => `extensions.'${DG_EXTENSION_ID}'.${prop}`;

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

interface IndicatorSpec {
  kind: IndicatorKind;
  name: string;
  pattern: string;
  ext: Record<string, unknown>;
  accounts: number;
  /** Stable identity of the observable, for the object id. */
  key: string;
}

/** Values used by several of the cluster's accounts: shared infrastructure, not one user's. */
function shared(map: Map<string, Set<string>>, clusterSize: number, limit = 10): [string, number][] {
  const min = Math.max(2, Math.ceil(clusterSize * 0.05));
  return [...map.entries()]
    .map(([v, s]): [string, number] => [v, s.size])
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
}

function indicatorSpecs(
  cluster: ClusterFinding,
  ev: ClusterEvidence | undefined,
  background: BuildInput['background'],
  ring: CommunityKeyRing,
  policy: SharingPolicy,
  withheld: Withheld[],
  campaignId: string,
): IndicatorSpec[] {
  const size = cluster.account_ids.length;
  const specs: IndicatorSpec[] = [];
  const key = ring.current;
  const hmac = (kind: KeyedKind, v: string): string => keyedHash(kind, v, key);

  // Links the detector found, then the same kinds from traffic; keyed on value so they merge.
  const prefixes = new Map<string, number>();
  const asns = new Map<string, number>();
  const uas = new Map<string, number>();
  const payments = new Map<string, number>();
  const emails = new Map<string, number>();
  const domains = new Map<string, number>();
  for (const l of cluster.links) {
    const target =
      l.kind === 'ip_prefix' || l.kind === 'signup_ip_prefix'
        ? prefixes
        : l.kind === 'asn'
          ? asns
          : l.kind === 'user_agent'
            ? uas
            : l.kind === 'payment_fingerprint'
              ? payments
              : l.kind === 'email_domain'
                ? domains
                : undefined;
    if (target) target.set(l.value, Math.max(target.get(l.value) ?? 0, l.accounts));
  }
  if (ev) {
    for (const [v, n] of shared(ev.ipPrefixes, size)) prefixes.set(v, Math.max(prefixes.get(v) ?? 0, n));
    for (const [v, n] of shared(ev.asns, size)) asns.set(v, Math.max(asns.get(v) ?? 0, n));
    for (const [v, n] of shared(ev.userAgents, size)) uas.set(v, Math.max(uas.get(v) ?? 0, n));
    for (const [v, n] of shared(ev.paymentFingerprints, size))
      payments.set(v, Math.max(payments.get(v) ?? 0, n));
    for (const [v, n] of shared(ev.emailHashes, size)) emails.set(v, Math.max(emails.get(v) ?? 0, n));
    for (const [v, n] of shared(ev.emailDomains, size)) domains.set(v, Math.max(domains.get(v) ?? 0, n));
  }

  for (const [prefix, n] of prefixes) {
    const fam = ipFamily(prefix);
    if (!fam) continue;
    const scheme = fam === 4 ? 'ipv4-addr' : 'ipv6-addr';
    if (policy.share_ip_in_clear) {
      specs.push({
        kind: 'ip_prefix',
        key: prefix,
        name: `Proxy network ${prefix}`,
        pattern: `[${scheme}:value ISSUBSET ${stixString(prefix)}]`,
        ext: { kind: 'ip_prefix', value: prefix, accounts_seen: n },
        accounts: n,
      });
    } else {
      const h = hmac('ip_prefix', prefix);
      specs.push({
        kind: 'ip_prefix_hmac',
        key: h,
        name: `Proxy network (IPv${fam} prefix, keyed hash)`,
        pattern: `[${scheme}:${extPath('prefix_hmac')} = ${stixString(h)}]`,
        ext: { kind: 'ip_prefix_hmac', hmac: h, key_id: key.id, accounts_seen: n },
        accounts: n,
      });
    }
  }
  if (!policy.share_ip_in_clear && prefixes.size > 0)
    withheld.push({
      object: campaignId,
      type: 'indicator',
      property: 'ip prefixes in clear',
      reason: `${prefixes.size} network prefixes leave as keyed hashes only (policy share_ip_in_clear: false)`,
    });
  for (const [asn, n] of asns)
    specs.push({
      kind: 'asn',
      key: asn,
      name: `Proxy network AS${asn}`,
      pattern: `[autonomous-system:number = ${Number(asn)}]`,
      ext: { kind: 'asn', value: asn, accounts_seen: n },
      accounts: n,
    });
  for (const [ua, n] of uas)
    specs.push({
      kind: 'user_agent',
      key: ua,
      name: 'Harvesting client user agent',
      pattern: `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ${stixString(scrubText(ua))}]`,
      ext: { kind: 'user_agent', value: scrubText(ua), accounts_seen: n },
      accounts: n,
    });
  const keyed: [Map<string, number>, KeyedKind, IndicatorKind, string, string][] = [
    [
      payments,
      'payment_fingerprint',
      'payment_fingerprint_hmac',
      'Shared payment instrument (keyed hash)',
      'user-account',
    ],
    [emails, 'email', 'email_hmac', 'Shared sign-up e-mail (keyed hash)', 'email-addr'],
    [domains, 'email_domain', 'email_domain_hmac', 'Shared sign-up e-mail domain (keyed hash)', 'email-addr'],
  ];
  for (const [map, kk, kind, name, sco] of keyed)
    for (const [v, n] of map) {
      const h = hmac(kk, v);
      specs.push({
        kind,
        key: h,
        name,
        pattern: `[${sco}:${extPath(kind)} = ${stixString(h)}]`,
        ext: { kind, hmac: h, key_id: key.id, accounts_seen: n },
        accounts: n,
      });
    }

  if (ev) {
    // Campaigns rotate several wrappers: a template counts when a few accounts share it and it
    // is rare in the rest of the publisher's traffic (so a common task opening is not shared).
    const minEvents = Math.max(3, Math.ceil(ev.events * 0.005));
    const rareOutside = (key: string): boolean =>
      !background || (background.counts.get(key) ?? 0) <= Math.max(1, background.events * 0.0005);
    const templates = [...ev.templates.values()]
      .filter(
        (t) => t.accounts.size >= Math.min(3, size) && t.events >= minEvents && rareOutside(t.fp.minhash),
      )
      .sort((a, b) => b.events - a.events)
      .slice(0, 10);
    for (const t of templates)
      specs.push({
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
          ...(policy.share_prompts_verbatim ? { skeleton: scrubText(t.fp.skeleton) } : {}),
        },
        accounts: t.accounts.size,
      });
    const phrases = [...ev.phrases.entries()]
      .filter(([, p]) => p.events >= minEvents)
      .sort((a, b) => b[1].events - a[1].events)
      .slice(0, 3);
    if (policy.share_elicitation_phrasings)
      for (const [phrase, p] of phrases)
        specs.push({
          kind: 'elicitation_phrase',
          key: phrase,
          name: 'Reasoning-trace elicitation phrasing',
          pattern: `[artifact:${extPath('phrase')} = ${stixString(scrubText(phrase))}]`,
          ext: { kind: 'elicitation_phrase', phrase: scrubText(phrase), accounts_seen: p.accounts.size },
          accounts: p.accounts.size,
        });
    else if (phrases.length)
      withheld.push({
        object: campaignId,
        type: 'indicator',
        property: 'elicitation phrasings',
        reason: `${phrases.length} phrasings withheld (policy share_elicitation_phrasings: false)`,
      });
  }
  return specs;
}

/**
 * An indicator seen in several campaigns is one object. `accounts_seen` is the number of the
 * publisher's accounts, across its exported campaigns, seen using the value: clusters share no
 * account, so the per-campaign counts add up (within one campaign, the largest count of it).
 * `confidence` is that of the strongest campaign it indicates.
 */
interface MergedIndicator {
  object: StixObject;
  /** Campaign id -> accounts of that campaign seen using the value. */
  accounts: Map<string, number>;
}

function mergeIndicator(m: MergedIndicator, campaignId: string, accounts: number, confidence: number): void {
  m.accounts.set(campaignId, Math.max(m.accounts.get(campaignId) ?? 0, accounts));
  const ext = readDgExtension(m.object);
  if (ext && typeof ext.accounts_seen === 'number')
    ext.accounts_seen = [...m.accounts.values()].reduce((a, b) => a + b, 0);
  m.object.confidence = Math.max(m.object.confidence ?? 0, confidence);
}

/**
 * Findings -> STIX 2.1 objects: the publisher's identity, TLP marking, ATLAS attack-patterns,
 * one campaign per cluster that passes the policy thresholds, its indicators (pseudonymised),
 * `uses`/`indicates` relationships and the publisher's own sighting. Account-level findings
 * never leave: they are customers.
 */
export function findingsToStix(input: BuildInput): BuildOutput {
  const { findings, policy, publisher, keyRing } = input;
  const now = input.now ?? new Date();
  const ts = stixNow(now);
  const validUntil = stixNow(new Date(now.getTime() + policy.indicator_ttl_days * 86_400_000));
  const identityId = identityIdFor(publisher.name);
  const tlp = TLP_IDS[policy.default_tlp];
  const marked = { created_by_ref: identityId, object_marking_refs: [tlp] };
  const withheld: Withheld[] = [];
  const objects: StixObject[] = [
    tlpMarkingDefinition(policy.default_tlp),
    {
      type: 'identity',
      spec_version: '2.1',
      id: identityId,
      created: ts,
      modified: ts,
      name: publisher.name,
      identity_class: 'organization',
    },
  ];
  const techniques = new Map<string, StixObject>();
  const indicators = new Map<string, MergedIndicator>();
  const relationships = new Set<string>();
  const technique = (atlas: string): StixObject => {
    let ap = techniques.get(atlas);
    if (!ap) {
      ap = atlasAttackPattern(atlas);
      techniques.set(atlas, ap);
    }
    return ap;
  };

  if (findings.accounts.length > 0)
    withheld.push({
      object: `account findings (${findings.accounts.length})`,
      type: 'account',
      reason: 'per-account findings name customers and never leave',
    });
  for (const cluster of findings.clusters) {
    const campaignId = stableId('campaign', publisher.name, cluster.cluster_id);
    const confidence = Math.round(cluster.score * 100);
    if (cluster.account_ids.length < policy.min_cluster_size) {
      withheld.push({
        object: campaignId,
        type: 'campaign',
        reason: `cluster ${cluster.cluster_id} has ${cluster.account_ids.length} accounts, below min_cluster_size ${policy.min_cluster_size}`,
      });
      continue;
    }
    if (confidence < policy.min_confidence) {
      withheld.push({
        object: campaignId,
        type: 'campaign',
        reason: `cluster ${cluster.cluster_id} confidence ${confidence} is below min_confidence ${policy.min_confidence}`,
      });
      continue;
    }
    const ev = input.evidence?.get(cluster.cluster_id);
    const detectors = cluster.signals.map((s) => ({
      detector: s.detector,
      score: s.score,
      evidence: scrubText(s.evidence),
      ...(s.atlas ? { atlas: s.atlas } : {}),
    }));
    const known = new Set(['cluster_id', 'account_ids', 'score', 'level', 'events', 'links', 'signals']);
    const extra = Object.fromEntries(Object.entries(cluster).filter(([k]) => !known.has(k)));
    const examples = policy.share_prompts_verbatim ? (ev?.examplePrompts ?? []).map(scrubText) : [];
    if (!policy.share_prompts_verbatim && ev?.examplePrompts.length)
      withheld.push({
        object: campaignId,
        type: 'campaign',
        property: 'extension.example_prompts',
        reason: 'prompts are not shared verbatim (policy share_prompts_verbatim: false)',
      });
    objects.push({
      type: 'campaign',
      spec_version: '2.1',
      id: campaignId,
      created: ts,
      modified: ts,
      ...marked,
      name: `Distillation campaign ${campaignId.slice(10, 18)}`,
      description: scrubText(
        `Adversarial distillation: ${cluster.account_ids.length} linked accounts, ${cluster.events} requests. ` +
          detectors.map((d) => `${d.detector}: ${d.evidence}`).join(' '),
      ),
      objective: 'Harvest model outputs at scale to train a proxy model (adversarial distillation).',
      ...(ev?.firstSeen ? { first_seen: stixNow(new Date(ev.firstSeen)) } : {}),
      ...(ev?.lastSeen ? { last_seen: stixNow(new Date(ev.lastSeen)) } : {}),
      confidence,
      extensions: dgExtension({
        cluster_size: cluster.account_ids.length,
        events: cluster.events,
        score: cluster.score,
        level: cluster.level,
        // STIX forbids empty lists: a campaign admitted without signals has no detectors property.
        ...(detectors.length ? { detectors } : {}),
        ...(examples.length ? { example_prompts: examples } : {}),
        ...extra,
      }),
    });
    const atlasIds = new Set([
      ...BASE_TECHNIQUES,
      ...cluster.signals.flatMap((s) => (s.atlas ? [s.atlas] : [])),
    ]);
    for (const atlas of atlasIds) {
      const ap = technique(atlas);
      objects.push({
        type: 'relationship',
        spec_version: '2.1',
        id: stableId('relationship', campaignId, 'uses', ap.id),
        created: ts,
        modified: ts,
        ...marked,
        relationship_type: 'uses',
        source_ref: campaignId,
        target_ref: ap.id,
      });
    }
    for (const spec of indicatorSpecs(cluster, ev, input.background, keyRing, policy, withheld, campaignId)) {
      const indicatorId = stableId('indicator', publisher.name, spec.kind, spec.key);
      // The id is the observable's, not the campaign's: when campaigns share infrastructure the
      // indicator is one object with one `indicates` per campaign (one object per id and version).
      const seen = indicators.get(indicatorId);
      if (seen) mergeIndicator(seen, campaignId, spec.accounts, confidence);
      else {
        const indicator: StixObject = {
          type: 'indicator',
          spec_version: '2.1',
          id: indicatorId,
          created: ts,
          modified: ts,
          ...marked,
          name: spec.name,
          indicator_types: ['malicious-activity'],
          pattern: spec.pattern,
          pattern_type: 'stix',
          pattern_version: '2.1',
          valid_from: ts,
          valid_until: validUntil,
          confidence,
          extensions: dgExtension(spec.ext),
        };
        indicators.set(indicatorId, { object: indicator, accounts: new Map([[campaignId, spec.accounts]]) });
        objects.push(indicator);
      }
      const relationshipId = stableId('relationship', indicatorId, 'indicates', campaignId);
      if (relationships.has(relationshipId)) continue;
      relationships.add(relationshipId);
      objects.push({
        type: 'relationship',
        spec_version: '2.1',
        id: relationshipId,
        created: ts,
        modified: ts,
        ...marked,
        relationship_type: 'indicates',
        source_ref: indicatorId,
        target_ref: campaignId,
      });
    }
    objects.push({
      type: 'sighting',
      spec_version: '2.1',
      id: randomId('sighting'),
      created: ts,
      modified: ts,
      ...marked,
      sighting_of_ref: campaignId,
      where_sighted_refs: [identityId],
      count: Math.min(cluster.events, 999_999_999),
      ...(ev?.firstSeen ? { first_seen: stixNow(new Date(ev.firstSeen)) } : {}),
      ...(ev?.lastSeen ? { last_seen: stixNow(new Date(ev.lastSeen)) } : {}),
    });
  }
  objects.push(...techniques.values());
  return { objects, withheld };
}
