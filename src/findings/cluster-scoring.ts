import type { ClusterFinding, LevelGate } from '../contracts/index.js';
import { fingerprint64 } from '../text/index.js';
import {
  combinedStrength,
  corroboration,
  CORROBORATION_STRENGTH,
  evidenceLines,
  levelOf,
  MIN_EXTRACTION_REQUESTS,
  requestsBehind,
  restated,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type Detector,
  type DetectorResult,
} from '../detect/index.js';
import { binomialSurvival, EntityStats, type PromptSample } from '../features/index.js';
import { clusterLinks, coordinationResults, type PopulationLinkage } from '../link/index.js';
import { isExtraction, MEMBER_SUPPORT_P, type AccountScore, type ClusterVerdict } from './account-scoring.js';
import {
  CLUSTER_ACT_RULE,
  clusterActGate,
  institutionOf,
  rareBinding,
  withInstitutionHold,
  type Institution,
} from './cluster-act.js';
import { levelBasis } from './level-basis.js';
import { withLinkText } from './link-text.js';
import type { Calibrated } from './calibration.js';
import { detectionContext, KERNEL_DIMENSIONS, round, type PopulationView } from './population-view.js';

/** A pooled signal counts when at least this share of members shows it on their own (MEMBER_SUPPORT_P). */
const MEMBER_SUPPORT_SHARE = 0.5;

/** A cluster's pooled prompt samples and hourly volume, for reports and the dashboard. */
export interface ClusterDetail {
  samples: PromptSample[];
  hourly: Map<number, number>;
}

export interface ClusterScoring {
  /** Strongest evidence first, then largest. */
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
    const institution = institutionOf(members, link.attributes);
    const { results, strength, review, act, decision } = judgeCluster(
      population,
      link,
      members,
      pooled,
      own,
      detectors,
      cal,
      institution,
    );
    const level = decision.level;
    const actDetectors = results
      .filter((r) => isExtraction(r) && r.strength >= cal.thresholds.corroborate)
      .map((r) => r.detector.id);
    const reviewDetectors = results
      .filter(
        (r) =>
          isExtraction(r) &&
          r.strength >= CORROBORATION_STRENGTH &&
          requestsBehind(r) >= MIN_EXTRACTION_REQUESTS,
      )
      .map((r) => r.detector.id);
    scoring.verdicts.set(clusterId, {
      clusterId,
      size: members.length,
      strength,
      review,
      act,
      actDetectors,
      reviewDetectors,
      level,
    });
    scoring.findings.push({
      cluster_id: clusterId,
      account_ids: members,
      score: scoreOfStrength(strength),
      level,
      events: pooled.n,
      links: linksOf(members, link, population, institution),
      signals: toSignals(results, cal.thresholds.monitor),
      strength: round(strength),
      basis: levelBasis({
        strength,
        thresholds: cal.thresholds,
        lines: evidenceLines(results),
        review,
        act,
        decision,
        cluster: null,
        withheld: [],
      }),
    });
    scoring.detail.set(clusterId, { samples: pooled.samples.items, hourly });
  }
  // Strength ranks where scores saturate; equal strengths (at the p floor) put larger clusters first.
  scoring.findings.sort(
    (a, b) =>
      (b.strength ?? 0) - (a.strength ?? 0) ||
      b.account_ids.length - a.account_ids.length ||
      (a.cluster_id < b.cluster_id ? -1 : 1),
  );
  return scoring;
}

/** The pooled evidence of one linked group and the level it reaches. */
function judgeCluster(
  population: PopulationView,
  link: PopulationLinkage,
  members: string[],
  pooled: EntityStats,
  own: ReadonlyMap<string, AccountScore>,
  detectors: readonly Detector[],
  cal: Calibrated,
  institution: Institution | null,
) {
  const { results, support } = broadPooledResults(population, members, pooled, own, detectors, cal);
  // A group found through coordination brings its own lines (see link/complementary-coverage.ts).
  const coordination = link.coordination.get(members[0]!);
  if (coordination) results.push(...coordinationResults(coordination));
  const strength = combinedStrength(results, [], cal.lambda);
  const review = corroboration(results);
  // A group inferred from coordination alone stays at review: a person confirms it first. Either
  // way an institution's group names its mail domain, for whoever reviews it.
  const act = withInstitutionHold(
    coordination
      ? coordinationActGate()
      : clusterActGate(
          results,
          support,
          members.length,
          rareBinding(members, link),
          cal.thresholds,
          pooled.n,
        ),
    institution,
    members.length,
  );
  return { results, strength, review, act, decision: levelOf(strength, cal.thresholds, review, act) };
}

/** The links that hold a group together, in words. */
const linksOf = (
  members: string[],
  link: PopulationLinkage,
  population: PopulationView,
  institution: Institution | null,
) =>
  withLinkText(
    clusterLinks(
      members,
      link.attributes,
      link.linkage.holders,
      link.synchronised,
      undefined,
      link.recordOnlyHolders,
      // Shown whatever outranks it: the reviewer contacts the institution, and sharing holds its group.
      institution ? { kind: 'email_domain', value: institution.domain } : undefined,
    ),
    members,
    population.accounts,
  );

/** A group inferred from coordination alone stays at review: a person confirms it first. */
const coordinationActGate = (): LevelGate => ({
  passed: false,
  rule: CLUSTER_ACT_RULE,
  detail:
    'found through coordination (jointly rare weak attributes, a task list shared out): a person confirms such a group before act',
});

/**
 * The detectors' results on the pooled traffic, kept only when broad: most members show the line
 * on their own. Pooling otherwise turns a few members' quirks (or a slightly different benign base
 * rate) into cluster-wide confidence. `support` is each line's share of members showing it.
 */
function broadPooledResults(
  population: PopulationView,
  members: readonly string[],
  pooled: EntityStats,
  own: ReadonlyMap<string, AccountScore>,
  detectors: readonly Detector[],
  cal: Calibrated,
): { results: DetectorResult[]; support: Map<string, number> } {
  const sizes = members.map((id) => population.accounts.get(id)!.n);
  const support = new Map<string, number>();
  const results = runDetectors(
    detectors,
    pooled,
    detectionContext(population, null, cal.ref),
    cal.nulls,
    sizes,
  )
    .filter((r) => {
      const n = members.filter((id) => shows(own, id, r.detector.id)).length;
      support.set(r.detector.id, n / members.length);
      return n >= MEMBER_SUPPORT_SHARE * members.length;
    })
    .map((r) => (r.detector.trait ? overCustomers(r, population, members, own, cal) : r));
  return { results, support };
}

const shows = (own: ReadonlyMap<string, AccountScore>, id: string, detector: string): boolean =>
  own.get(id)!.results.some((x) => x.detector.id === detector && x.p <= MEMBER_SUPPORT_P);

/**
 * A trait detector's pooled line judged over customers: a setting fixed in an integration is one
 * draw per customer, however many requests carry it, and accounts under one payment fingerprint
 * are one customer. The line keeps the weaker of its pooled p and the binomial tail of customers
 * showing it on their own against the share of ordinary accounts that do.
 */
function overCustomers(
  r: DetectorResult,
  population: PopulationView,
  members: readonly string[],
  own: ReadonlyMap<string, AccountScore>,
  cal: Calibrated,
): DetectorResult {
  const customers = new Map<string, boolean>();
  for (const id of members) {
    const key = population.records.get(id)?.payment_fingerprint ?? `account:${id}`;
    customers.set(key, (customers.get(key) ?? false) || shows(own, id, r.detector.id));
  }
  const shown = [...customers.values()].filter(Boolean).length;
  const share = cal.shownShare.get(r.detector.id) ?? 1;
  const p = binomialSurvival(shown, customers.size, share);
  const percent = Math.round(share * 1000) / 10;
  return restated(
    r,
    p,
    `${r.measurement.evidence}; over customers (accounts under one payment fingerprint counted once), ${shown} of ${customers.size} show it on their own, against ${percent} % of ordinary accounts`,
  );
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
