import {
  findingTechniques,
  type ClusterFinding,
  type Findings,
  type StixObject,
} from '../../contracts/index.js';
import type { AttributeRarity, ClusterEvidence } from '../match/cluster-evidence.js';
import type { CommunityKeyRing } from '../match/community-key.js';
import type { SharingPolicy, Withheld } from '../policy/sharing-policy.js';
import { atlasAttackPattern } from './attack-pattern-converter.js';
import { campaignObject, campaignRefusal } from './campaign-converter.js';
import { distillGuardIdentity } from './extension.js';
import { stableId, stixNow } from './ids.js';
import { IndicatorBook } from './indicator-converter.js';
import { indicatorSpecs, type Background } from './indicator-specs.js';
import { ownSighting, relationship } from './relationship-converter.js';
import type { Stamp } from './stamp.js';
import { TLP_IDS, tlpMarkingDefinition } from './tlp.js';

// Findings -> STIX, one converter per object kind (OpenCTI style): campaign-converter,
// indicator-specs + indicator-converter, relationship-converter (SROs), attack-pattern-converter.
// This file only orders them.

export interface Publisher {
  /** The member's name at the hub; also its STIX identity's name. */
  name: string;
}

export interface BuildInput {
  findings: Findings;
  evidence?: Map<string, ClusterEvidence>;
  /** Template use outside the clusters (key -> requests, and the total), to publish only rare wrappers. */
  background?: Background;
  /** Attribute rarity outside the shared campaigns; without it no attribute indicator leaves. */
  rarity?: AttributeRarity;
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

/** A member's identity object: created by itself, under the given markings. */
export function memberIdentity(name: string, ts: string, markingRefs: string[]): StixObject {
  const id = identityIdFor(name);
  return {
    type: 'identity',
    spec_version: '2.1',
    id,
    created: ts,
    modified: ts,
    created_by_ref: id,
    object_marking_refs: markingRefs,
    name,
    identity_class: 'organization',
  };
}

/** One export's running state: objects in output order, and what repeats collapse into. */
interface Export {
  input: BuildInput;
  stamp: Stamp;
  identityId: string;
  objects: StixObject[];
  withheld: Withheld[];
  techniques: Map<string, StixObject>;
  indicators: IndicatorBook;
  relationships: Set<string>;
}

/** One admitted cluster: campaign, `uses` techniques, indicators with `indicates`, own sighting. */
function addCampaign(x: Export, cluster: ClusterFinding, campaignId: string, confidence: number): void {
  const { input, stamp, objects } = x;
  const ev = input.evidence?.get(cluster.cluster_id);
  objects.push(campaignObject(cluster, ev, campaignId, confidence, input.policy, x.withheld, stamp));
  // The campaign techniques, its detectors' and its links' (proxy networks, sign-up waves).
  for (const atlas of findingTechniques(cluster, { campaign: true })) {
    let ap = x.techniques.get(atlas);
    if (!ap) {
      ap = atlasAttackPattern(atlas);
      x.techniques.set(atlas, ap);
    }
    objects.push(relationship(campaignId, 'uses', ap.id, stamp));
  }
  const specs = indicatorSpecs(cluster, ev, {
    ring: input.keyRing,
    policy: input.policy,
    background: input.background,
    withheld: x.withheld,
    campaignId,
    rarity: input.rarity,
  });
  for (const spec of specs) {
    const indicator = x.indicators.add(spec, campaignId, confidence);
    if (indicator.created) objects.push(indicator.created);
    const indicates = relationship(indicator.id, 'indicates', campaignId, stamp);
    if (x.relationships.has(indicates.id)) continue;
    x.relationships.add(indicates.id);
    objects.push(indicates);
  }
  objects.push(ownSighting(campaignId, x.identityId, cluster.events, ev, stamp));
}

/**
 * Findings -> STIX 2.1 objects: the publisher's identity, TLP marking, ATLAS attack-patterns,
 * one campaign per cluster that passes the policy thresholds, its indicators (pseudonymised),
 * `uses`/`indicates` relationships and the publisher's own sighting. Account-level findings
 * never leave: they are customers.
 */
export function findingsToStix(input: BuildInput): BuildOutput {
  const { findings, policy, publisher } = input;
  const now = input.now ?? new Date();
  const ts = stixNow(now);
  const identityId = identityIdFor(publisher.name);
  const stamp: Stamp = {
    ts,
    marked: { created_by_ref: identityId, object_marking_refs: [TLP_IDS[policy.default_tlp]] },
  };
  const validUntil = stixNow(new Date(now.getTime() + policy.indicator_ttl_days * 86_400_000));
  const x: Export = {
    input,
    stamp,
    identityId,
    objects: [
      tlpMarkingDefinition(policy.default_tlp),
      memberIdentity(publisher.name, ts, [TLP_IDS[policy.default_tlp]]),
    ],
    withheld: [],
    techniques: new Map(),
    indicators: new IndicatorBook(publisher.name, stamp, validUntil),
    relationships: new Set(),
  };
  if (findings.accounts.length > 0)
    x.withheld.push({
      object: `account findings (${findings.accounts.length})`,
      type: 'account',
      reason: 'per-account findings name customers and never leave',
    });
  for (const cluster of findings.clusters) {
    const campaignId = stableId('campaign', publisher.name, cluster.cluster_id);
    const confidence = Math.round(cluster.score * 100);
    const refusal = campaignRefusal(cluster, campaignId, confidence, policy);
    if (refusal) x.withheld.push(refusal);
    else addCampaign(x, cluster, campaignId, confidence);
  }
  if (x.techniques.size) {
    // The ATLAS attack-patterns name the DistillGuard project as creator and carry TLP:CLEAR:
    // both travel with them so every reference resolves inside the bundle.
    x.objects.push(distillGuardIdentity());
    if (policy.default_tlp !== 'clear') x.objects.push(tlpMarkingDefinition('clear'));
  }
  x.objects.push(...x.techniques.values());
  return { objects: x.objects, withheld: x.withheld };
}
