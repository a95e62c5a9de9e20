import type { ClusterFinding } from '../contracts/index.js';
import { fingerprint64 } from '../text/index.js';
import {
  combinedStrength,
  corroborated,
  levelOf,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type Detector,
} from '../detect/index.js';
import { EntityStats, type PromptSample } from '../features/index.js';
import { clusterLinks, coordinationResults, type PopulationLinkage } from '../link/index.js';
import { isExtraction, type AccountScore, type ClusterVerdict } from './account-scoring.js';
import type { Calibrated } from './calibration.js';
import { detectionContext, KERNEL_DIMENSIONS, round, type PopulationView } from './population-view.js';

/** A pooled signal counts when at least this share of members shows it on their own at this p. */
const MEMBER_SUPPORT_P = 0.05;
const MEMBER_SUPPORT_SHARE = 0.5;

/** A cluster's pooled prompt samples and hourly volume, for reports and the dashboard. */
export interface ClusterDetail {
  samples: PromptSample[];
  hourly: Map<number, number>;
}

export interface ClusterScoring {
  /** Highest score first, then largest. */
  findings: ClusterFinding[];
  /** Cluster id of each clustered account. */
  clusterOf: Map<string, string>;
  verdicts: Map<string, ClusterVerdict>;
  detail: Map<string, ClusterDetail>;
}

/** Every linked group re-scored as one entity on its members' pooled traffic. */
export function scoreClusters(
  population: PopulationView,
  link: PopulationLinkage,
  own: ReadonlyMap<string, AccountScore>,
  detectors: readonly Detector[],
  cal: Calibrated,
): ClusterScoring {
  const scoring: ClusterScoring = {
    findings: [],
    clusterOf: new Map(),
    verdicts: new Map(),
    detail: new Map(),
  };
  for (const members of link.groups) {
    const clusterId = `cl_${fingerprint64(members[0]!).slice(0, 10)}`;
    const { pooled, hourly } = poolMembers(population, members);
    for (const id of members) scoring.clusterOf.set(id, clusterId);
    const sizes = members.map((id) => population.accounts.get(id)!.n);
    // A pooled signal counts only when it is broad: most members show it on their own. Pooling
    // otherwise turns a few members' quirks (or a slightly different benign base rate) into
    // cluster-wide confidence.
    const results = runDetectors(
      detectors,
      pooled,
      detectionContext(population, null, cal.ref),
      cal.nulls,
      sizes,
    ).filter((r) => {
      const support = members.filter((id) =>
        own.get(id)!.results.some((x) => x.detector.id === r.detector.id && x.p <= MEMBER_SUPPORT_P),
      ).length;
      return support >= MEMBER_SUPPORT_SHARE * members.length;
    });
    // A group found through coordination brings its own lines (see link/complementary-coverage.ts).
    const coordination = link.coordination.get(members[0]!);
    if (coordination) results.push(...coordinationResults(coordination));
    const strength = combinedStrength(results, [], cal.lambda);
    // Act needs extraction content that most members show, corroborated by two more broad signals.
    const strong = results.filter((r) => r.strength >= cal.thresholds.corroborate);
    // A group inferred from coordination alone stays at review: a person confirms it first.
    const actAllowed = !coordination && strong.length >= 3 && strong.some(isExtraction);
    const level = levelOf(strength, cal.thresholds, actAllowed, corroborated(results));
    scoring.verdicts.set(clusterId, { clusterId, size: members.length, strength, actAllowed, level });
    scoring.findings.push({
      cluster_id: clusterId,
      account_ids: members,
      score: scoreOfStrength(strength),
      level,
      events: pooled.n,
      links: clusterLinks(members, link.attributes, link.linkage.holders, link.synchronised),
      signals: toSignals(results, cal.thresholds.monitor),
      strength: round(strength),
    });
    scoring.detail.set(clusterId, { samples: pooled.samples.items, hourly });
  }
  scoring.findings.sort((a, b) => b.score - a.score || b.account_ids.length - a.account_ids.length);
  return scoring;
}

/** The members' statistics merged into one entity, and their hourly volume summed. */
function poolMembers(
  population: PopulationView,
  members: readonly string[],
): { pooled: EntityStats; hourly: Map<number, number> } {
  const pooled = new EntityStats(KERNEL_DIMENSIONS);
  pooled.members = 0;
  const hourly = new Map<number, number>();
  for (const id of members) {
    pooled.merge(population.accounts.get(id)!);
    for (const [h, c] of population.hourly.get(id) ?? []) hourly.set(h, (hourly.get(h) ?? 0) + c);
  }
  return { pooled, hourly };
}
