import { ATLAS, type AccountFinding, type Level, type LevelGate, type Signal } from '../contracts/index.js';
import {
  accountStrength,
  corroboration,
  CORROBORATION_RULE,
  CORROBORATION_STRENGTH,
  evidenceLines,
  levelOf,
  pText,
  requestsBehind,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type Detector,
  type DetectorResult,
  type LevelThresholds,
} from '../detect/index.js';
import type { EntityStats } from '../features/index.js';
import type { Calibrated } from './calibration.js';
import { INHERITED_LEVELS, levelBasis } from './level-basis.js';
import { detectionContext, round, type PopulationView } from './population-view.js';

/** Linked accounts inherit a cluster's level only from groups this large (an operation, not a family). */
export const CAMPAIGN_MIN_ACCOUNTS = 5;

/** One account scored on its own traffic. */
export interface AccountScore {
  results: DetectorResult[];
  /** Combined with its external signals. */
  strength: number;
}

/** What an account may inherit from the cluster it belongs to. */
export interface ClusterVerdict {
  clusterId: string;
  size: number;
  strength: number;
  review: LevelGate;
  act: LevelGate;
  /** The extraction detectors the cluster's act rests on: a member inherits act only showing one. */
  actDetectors: string[];
  /**
   * The extraction lines its review rests on (p ≤ 0.01 on ≥ 20 pooled requests): a member of a
   * small cluster is reviewed with it only showing one of them as a line of its own.
   */
  reviewDetectors: string[];
  level: Level;
}

/** A member shows a cluster's signal on its own when its own traffic gives it at this p. */
export const MEMBER_SUPPORT_P = 0.05;

// Extraction evidence (elicitation, harvesting, sweeps) must corroborate review and act.
export const isExtraction = (r: DetectorResult): boolean => r.detector.family === 'extraction';

/** Every account scored on its own traffic and external signals. */
export function scoreAccounts(
  population: PopulationView,
  detectors: readonly Detector[],
  cal: Calibrated,
): Map<string, AccountScore> {
  const own = new Map<string, AccountScore>();
  for (const [id, s] of population.accounts) {
    const results = runDetectors(detectors, s, detectionContext(population, id, cal.ref), cal.nulls);
    const extra = (population.external.get(id) ?? []).map((sig) => Math.max(1e-30, 1 - sig.score));
    own.set(id, { results, strength: accountStrength(results, extra, cal.lambda) });
  }
  return own;
}

/**
 * One account's finding: its own score, corroborated by its content and intelligence, raised to
 * its campaign's when it belongs to a large linked group that scores review or act. The level and
 * its basis come from the same gates.
 */
export function accountFinding(
  id: string,
  s: EntityStats,
  own: AccountScore,
  external: readonly Signal[],
  cluster: ClusterVerdict | undefined,
  thresholds: LevelThresholds,
): AccountFinding {
  const { results, strength: ownStrength } = own;
  const content = results.filter(
    (r) => r.detector.family !== 'behaviour' && r.strength >= thresholds.corroborate,
  );
  const regression = isRegressionTesting(s);
  const intel = external.filter((sig) => sig.score >= 0.5);
  let review = corroboration(results, intel.length, { prompts: s.prompts });
  let act = ownActGate(content, regression, thresholds);
  let strength = ownStrength;
  const signals = toSignals(results, thresholds.monitor);
  for (const sig of external) signals.push(sig);
  const withheld: string[] = [];
  // A handful of linked accounts (a family, a small team) is judged account by account; a
  // campaign's heads inherit its level once the group is large enough to be an operation.
  const inherits =
    cluster !== undefined && cluster.size >= CAMPAIGN_MIN_ACCOUNTS && INHERITED_LEVELS.has(cluster.level);
  if (cluster && inherits) {
    strength = Math.max(strength, cluster.strength);
    review = { ...review, passed: true, detail: `cluster ${cluster.clusterId}: ${cluster.review.detail}` };
    if (!act.passed && cluster.act.passed) act = memberActGate(act, results, cluster);
    signals.unshift(linkageSignal(cluster));
  }
  const ownReview = review.passed && strength >= thresholds.review;
  const reviewedWith = !inherits && !ownReview ? reviewedWithCluster(results, cluster, thresholds) : null;
  if (cluster && reviewedWith) {
    strength = Math.max(strength, Math.min(cluster.strength, thresholds.review));
    review = reviewedWith;
    signals.unshift(linkageSignal(cluster));
  }
  // Re-sending the same prompts at temperature 0 measures a model: act is withheld, whether the
  // account's own evidence or its cluster's would carry it.
  if (regression && act.passed) {
    act = { ...act, passed: false, detail: `withheld: ${regressionText(s)}` };
    withheld.push(`act withheld for regression testing`);
  }
  if (regression && ownStrength >= thresholds.review) {
    signals.push({
      detector: 'regression-pattern',
      score: 0,
      evidence: `${regressionText(s)}, so act is withheld`,
    });
  }
  const decision = levelOf(strength, thresholds, review, act);
  const lines = evidenceLines(results);
  for (const sig of intel) lines.push(intelLine(sig));
  return {
    account_id: id,
    score: scoreOfStrength(strength),
    level: decision.level,
    cluster_id: cluster?.clusterId ?? null,
    events: s.n,
    signals,
    strength: round(strength),
    basis: levelBasis({
      strength,
      thresholds,
      lines,
      review,
      act,
      decision,
      cluster: cluster
        ? {
            cluster_id: cluster.clusterId,
            level: cluster.level,
            size: cluster.size,
            strength: round(cluster.strength),
            inherited: inherits || reviewedWith !== null,
          }
        : null,
      withheld,
    }),
  };
}

const linkageSignal = (cluster: ClusterVerdict): Signal => ({
  detector: 'linkage',
  score: scoreOfStrength(cluster.strength),
  evidence: `member of cluster ${cluster.clusterId} (${cluster.size} linked accounts) whose pooled traffic scores ${cluster.level}`,
  atlas: ATLAS.inferenceApi,
});

/**
 * A member of a small cluster at review (too few accounts to be an operation whose level passes
 * to every member) is reviewed with it when its own traffic gives, as a line of its own
 * (p ≤ 0.01), an extraction line the cluster's review rests on: a light account of a harvest
 * whose own requests are too few for review's floor. Review only: its strength is raised to
 * review's, never towards act, and members without such a line keep their own level.
 */
function reviewedWithCluster(
  results: readonly DetectorResult[],
  cluster: ClusterVerdict | undefined,
  thresholds: LevelThresholds,
): LevelGate | null {
  if (!cluster || !INHERITED_LEVELS.has(cluster.level) || cluster.strength < thresholds.review) return null;
  const shown = results.find(
    (r) => cluster.reviewDetectors.includes(r.detector.id) && r.strength >= CORROBORATION_STRENGTH,
  );
  if (!shown) return null;
  return {
    passed: true,
    rule: CORROBORATION_RULE,
    detail: `cluster ${cluster.clusterId} (${cluster.size} accounts): ${cluster.review.detail}; this account shows ${shown.detector.id} on its own (${pText(shown.strength)} on ${requestsBehind(shown)} requests)`,
  };
}

/** Act on the account's own evidence: two content lines, one of them extraction, and no regression testing. */
function ownActGate(
  content: readonly DetectorResult[],
  regression: boolean,
  thresholds: LevelThresholds,
): LevelGate {
  const ownAct = content.length >= 2 && content.some(isExtraction);
  const names = content.map((r) => r.detector.id).join(', ');
  return {
    passed: ownAct && !regression,
    rule: ACCOUNT_ACT_RULE,
    detail: ownAct
      ? `own content lines ${names} at p ≤ ${pLimit(thresholds.corroborate)}, one of them extraction`
      : `needs two content lines at p ≤ ${pLimit(thresholds.corroborate)}, one of them extraction (has ${content.length}${names ? `: ${names}` : ''})`,
  };
}

/**
 * Act reaches a member only when its own traffic shows the extraction the cluster's act rests on:
 * an account linked into a campaign by mistake keeps its own evidence's level.
 */
function memberActGate(
  act: LevelGate,
  results: readonly DetectorResult[],
  cluster: ClusterVerdict,
): LevelGate {
  const shown = results.find((r) => cluster.actDetectors.includes(r.detector.id) && r.p <= MEMBER_SUPPORT_P);
  return shown
    ? {
        ...act,
        passed: true,
        detail: `cluster ${cluster.clusterId}: ${cluster.act.detail}; this account shows ${shown.detector.id} on its own (${pText(shown.strength)})`,
      }
    : {
        ...act,
        detail: `cluster ${cluster.clusterId} is at act, but this account's own traffic does not show ${cluster.actDetectors.join(' or ')} at p ≤ ${MEMBER_SUPPORT_P}`,
      };
}

/** An intelligence signal as an evidence line, its score read as a probability. */
function intelLine(sig: Signal): ReturnType<typeof evidenceLines>[number] {
  return {
    detector: sig.detector,
    family: 'intel',
    strength: round(-Math.log10(Math.max(1e-30, 1 - sig.score))),
    requests: 0,
  };
}

export const ACCOUNT_ACT_RULE =
  'act needs the act strength and two content lines at the corroboration strength, one of them extraction, and no regression-testing pattern; or membership of a campaign (>= 5 linked accounts) whose cluster passes its act rule';

const pLimit = (strength: number): string => pText(strength).replace('p≈', '');

/** One-shot requests that re-send an earlier one word for word, estimated from the sample. */
const resent = (s: EntityStats): number => s.promptSample.repeatShare() * (s.n - s.followUps);

const regressionText = (s: EntityStats): string => {
  const { requests, distinct } = s.promptSample.sampled;
  return `about ${Math.round(resent(s))} of ${s.n} requests re-send an earlier one-shot prompt word for word (${requests - distinct} of ${requests} sampled by prompt) and ${s.greedy} run at temperature 0: an evaluation or regression-testing pattern`;
};

/** Re-sending the same prompts at temperature 0 measures a model; it harvests nothing new. */
function isRegressionTesting(s: EntityStats): boolean {
  return (
    s.n >= 20 && s.promptSample.sampled.requests >= 10 && resent(s) / s.n >= 0.3 && s.greedy / s.n >= 0.8
  );
}
