import type { AccountFinding, Level, Signal } from '../contracts/index.js';
import {
  combinedStrength,
  corroborated,
  levelOf,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type Detector,
  type DetectorResult,
  type LevelThresholds,
} from '../detect/index.js';
import type { EntityStats } from '../features/index.js';
import type { Calibrated } from './calibration.js';
import { detectionContext, round, type PopulationView } from './population-view.js';

/** Linked accounts inherit a cluster's level only from groups this large (an operation, not a family). */
const CAMPAIGN_MIN_ACCOUNTS = 5;

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
  actAllowed: boolean;
  level: Level;
}

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
    own.set(id, { results, strength: combinedStrength(results, extra, cal.lambda) });
  }
  return own;
}

/**
 * One account's finding: its own score, corroborated by its content and intelligence, raised to
 * its campaign's when it belongs to a large linked group that scores review or act.
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
  let actAllowed = !regression && content.length >= 2 && content.some(isExtraction);
  let strength = ownStrength;
  const intel = external.filter((sig) => sig.score >= 0.5).length;
  let reviewAllowed = corroborated(results, intel);
  const signals = toSignals(results, thresholds.monitor);
  for (const sig of external) signals.push(sig);
  // A handful of linked accounts (a family, a small team) is judged account by account; a
  // campaign's heads inherit its level once the group is large enough to be an operation.
  if (
    cluster &&
    cluster.size >= CAMPAIGN_MIN_ACCOUNTS &&
    cluster.level !== 'none' &&
    cluster.level !== 'monitor'
  ) {
    strength = Math.max(strength, cluster.strength);
    actAllowed ||= cluster.actAllowed;
    reviewAllowed = true;
    signals.unshift({
      detector: 'linkage',
      score: scoreOfStrength(cluster.strength),
      evidence: `member of cluster ${cluster.clusterId} (${cluster.size} linked accounts) whose pooled traffic scores ${cluster.level}`,
      atlas: 'AML.T0040',
    });
  }
  if (regression && ownStrength >= thresholds.review) {
    signals.push({
      detector: 'regression-pattern',
      score: 0,
      evidence: `${s.repeats} of ${s.n} prompts repeat earlier ones and ${s.greedy} run at temperature 0: an evaluation or regression-testing pattern, so act is withheld`,
    });
  }
  return {
    account_id: id,
    score: scoreOfStrength(strength),
    level: levelOf(strength, thresholds, actAllowed, reviewAllowed),
    cluster_id: cluster?.clusterId ?? null,
    events: s.n,
    signals,
    strength: round(strength),
  };
}

/** Re-sending the same prompts at temperature 0 measures a model; it harvests nothing new. */
function isRegressionTesting(s: EntityStats): boolean {
  return s.n >= 20 && s.repeats / s.n >= 0.3 && s.greedy / s.n >= 0.8;
}
