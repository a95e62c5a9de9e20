import { levelRank, type ClusterFinding, type StixObject } from '../../contracts/index.js';
import { institutionOfFinding } from '../../findings/index.js';
import type { ClusterEvidence } from '../match/cluster-evidence.js';
import type { SharingPolicy, Withheld } from '../policy/sharing-policy.js';
import { scrubText } from '../policy/scrub.js';
import { dgExtension } from './extension.js';
import { stixNow } from './ids.js';
import type { Stamp } from './stamp.js';

/** Why a cluster does not leave as a campaign (policy thresholds), or undefined when it does. */
export function campaignRefusal(
  cluster: ClusterFinding,
  campaignId: string,
  confidence: number,
  policy: SharingPolicy,
): Withheld | undefined {
  if (levelRank(cluster.level) < levelRank(policy.min_level))
    return {
      object: campaignId,
      type: 'campaign',
      reason: `cluster ${cluster.cluster_id} is at ${cluster.level}, below min_level ${policy.min_level}`,
    };
  // A class, a lab or a course project is a customer: its campus network and mail domain are no
  // attack indicators to hand other providers on a machine's word.
  const institution = institutionOfFinding(cluster);
  if (institution && !policy.confirmed_clusters.includes(cluster.cluster_id))
    return {
      object: campaignId,
      type: 'campaign',
      reason: `cluster ${cluster.cluster_id} is one academic institution's group (${institution.accounts} of ${cluster.account_ids.length} accounts signed up with ${institution.domain}): shared once a person confirms it (intel export --confirm ${cluster.cluster_id}, or the policy's confirmed_clusters)`,
    };
  if (cluster.account_ids.length < policy.min_cluster_size)
    return {
      object: campaignId,
      type: 'campaign',
      reason: `cluster ${cluster.cluster_id} has ${cluster.account_ids.length} accounts, below min_cluster_size ${policy.min_cluster_size}`,
    };
  if (confidence < policy.min_confidence)
    return {
      object: campaignId,
      type: 'campaign',
      reason: `cluster ${cluster.cluster_id} confidence ${confidence} is below min_confidence ${policy.min_confidence}`,
    };
  return undefined;
}

const KNOWN_CLUSTER_FIELDS = new Set([
  'cluster_id',
  'account_ids',
  'score',
  'level',
  'events',
  'links',
  'signals',
]);

/**
 * The campaign SDO of one admitted cluster: scrubbed detector evidence, and example prompts only
 * when the policy shares prompts verbatim (else noted in `withheld`). Account ids never leave.
 */
export function campaignObject(
  cluster: ClusterFinding,
  ev: ClusterEvidence | undefined,
  campaignId: string,
  confidence: number,
  policy: SharingPolicy,
  withheld: Withheld[],
  { ts, marked }: Stamp,
): StixObject {
  const detectors = cluster.signals.map((s) => ({
    detector: s.detector,
    score: s.score,
    evidence: scrubText(s.evidence),
    ...(s.atlas ? { atlas: s.atlas } : {}),
  }));
  const extra = Object.fromEntries(Object.entries(cluster).filter(([k]) => !KNOWN_CLUSTER_FIELDS.has(k)));
  const examples = policy.share_prompts_verbatim ? (ev?.examplePrompts ?? []).map(scrubText) : [];
  if (!policy.share_prompts_verbatim && ev?.examplePrompts.length)
    withheld.push({
      object: campaignId,
      type: 'campaign',
      property: 'extension.example_prompts',
      reason: 'prompts are not shared verbatim (policy share_prompts_verbatim: false)',
    });
  return {
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
  };
}
