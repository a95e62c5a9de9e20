import type { DetectConfig } from '../contracts/index.js';
import {
  accountStrength,
  fitNullModels,
  genomicControl,
  runDetectors,
  scoreOfStrength,
  type Detector,
  type DetectorResult,
  type LevelThresholds,
  type NullModels,
  type Stat,
} from '../detect/index.js';
import { quantile, type EntityStats } from '../features/index.js';
import { MEMBER_SUPPORT_P } from './account-scoring.js';
import {
  detectionContext,
  KERNEL_DIMENSIONS,
  round,
  type KernelReference,
  type PopulationView,
} from './population-view.js';

/** How the thresholds were set, as the findings report it. */
export interface Calibration {
  method: 'baseline' | 'population';
  reference_accounts: number;
  /** Genomic-control factor applied to the combined statistic (1 = detectors independent on benign traffic). */
  lambda: number;
  target_fpr: number;
  thresholds: { monitor: number; review: number; act: number };
}

/** Everything scoring needs from calibration. */
export interface Calibrated {
  method: Calibration['method'];
  referenceAccounts: number;
  ref: KernelReference;
  nulls: NullModels;
  thresholds: LevelThresholds;
  lambda: number;
  /**
   * Per detector, the share of reference accounts showing it on their own (p ≤ MEMBER_SUPPORT_P),
   * add-one smoothed: how often an ordinary customer has a trait detector's setting.
   */
  shownShare: ReadonlyMap<string, number>;
}

/** A reference account with the population it belongs to (the engine's own, or its baseline's). */
type ReferenceEntity = [id: string, stats: EntityStats, owner: PopulationView];

/**
 * Fits the benign nulls and the level thresholds: on the baseline's accounts when there is a
 * baseline, otherwise on the population's unlinked accounts (`linked` are campaign candidates);
 * analysts' benign verdicts join the reference either way.
 */
export function calibrate(
  population: PopulationView,
  baseline: PopulationView | undefined,
  linked: ReadonlySet<string>,
  detectors: readonly Detector[],
  cfg: DetectConfig,
): Calibrated {
  const { entities, method } = referenceEntities(population, baseline, linked);
  const ref = referenceKernel(entities);
  const nulls = fitNulls(population, entities, method, detectors, ref);
  const thresholds: LevelThresholds = {
    monitor: -Math.log10(cfg.monitorFpr),
    review: -Math.log10(cfg.targetFpr),
    act: cfg.actStrength,
    corroborate: cfg.corroborateStrength,
  };
  const refResults = entities.map(([id, s, owner]) =>
    runDetectors(detectors, s, detectionContext(owner, id, ref), nulls),
  );
  const lambda = genomicControl(refResults);
  if (method === 'baseline') guardBaselineThresholds(thresholds, refResults, lambda, cfg);
  return {
    method,
    referenceAccounts: entities.length,
    ref,
    nulls,
    thresholds,
    lambda,
    shownShare: shownShares(refResults, detectors),
  };
}

/** Share of reference accounts at p ≤ MEMBER_SUPPORT_P on each trait detector, add-one smoothed. */
function shownShares(
  refResults: readonly DetectorResult[][],
  detectors: readonly Detector[],
): Map<string, number> {
  const shown = new Map<string, number>(detectors.filter((d) => d.trait).map((d) => [d.id, 0]));
  for (const results of refResults)
    for (const r of results)
      if (r.p <= MEMBER_SUPPORT_P && shown.has(r.detector.id))
        shown.set(r.detector.id, shown.get(r.detector.id)! + 1);
  const total = refResults.length;
  return new Map([...shown].map(([id, c]) => [id, (c + 1) / (total + 1)]));
}

/** The calibration as the findings report it: thresholds as scores. */
export function calibrationSummary(cal: Calibrated, targetFpr: number): Calibration {
  return {
    method: cal.method,
    reference_accounts: cal.referenceAccounts,
    lambda: round(cal.lambda),
    target_fpr: targetFpr,
    thresholds: {
      monitor: scoreOfStrength(cal.thresholds.monitor),
      review: scoreOfStrength(cal.thresholds.review),
      act: scoreOfStrength(cal.thresholds.act),
    },
  };
}

/** Reference entities: the baseline's accounts, or the whole population (robust fits), plus verdicts. */
function referenceEntities(
  population: PopulationView,
  baseline: PopulationView | undefined,
  linked: ReadonlySet<string>,
): { entities: ReferenceEntity[]; method: Calibration['method'] } {
  const verdicts = [...population.benignReference].sort().flatMap((id): ReferenceEntity[] => {
    const s = population.accounts.get(id);
    return s ? [[id, s, population]] : [];
  });
  if (baseline) {
    const base = [...baseline.accounts].map(([id, s]): ReferenceEntity => [id, s, baseline]);
    return { entities: [...base, ...verdicts], method: 'baseline' };
  }
  // Linked groups are campaign candidates, so the population reference is the unlinked
  // accounts (plus verdicts); a robust fit tolerates the few lone attackers left among them.
  const unlinked = [...population.accounts]
    .filter(([id]) => !linked.has(id) || population.benignReference.has(id))
    .map(([id, s]): ReferenceEntity => [id, s, population]);
  return { entities: unlinked, method: 'population' };
}

function referenceKernel(entities: readonly ReferenceEntity[]): KernelReference {
  const sum = new Float64Array(KERNEL_DIMENSIONS);
  let count = 0;
  for (const [, s] of entities) {
    for (let d = 0; d < KERNEL_DIMENSIONS; d++) sum[d]! += s.kernelSum[d]!;
    count += s.kernelCount;
  }
  return { sum, count };
}

/**
 * Count statistics (shares of eliciting or harvesting requests) are fitted on the reference,
 * where a campaign's thousands of identical heads would otherwise define "normal". Value
 * statistics (timing, prompt distribution, breadth) are fitted on every account in population
 * mode: empirical quantiles tolerate a minority of attackers, and linked benign teams with their
 * own language or app stay inside the range they define.
 */
function fitNulls(
  population: PopulationView,
  entities: readonly ReferenceEntity[],
  method: Calibration['method'],
  detectors: readonly Detector[],
  ref: KernelReference,
): NullModels {
  const measureAll = (of: readonly ReferenceEntity[]): Stat[][] =>
    of.map(([id, s, owner]) =>
      detectors.flatMap((d) => d.measure(s, detectionContext(owner, id, ref))?.stats ?? []),
    );
  const countNulls = fitNullModels(measureAll(entities));
  const valueNulls =
    method === 'population'
      ? fitNullModels(
          measureAll([...population.accounts].map(([id, s]): ReferenceEntity => [id, s, population])),
        )
      : countNulls;
  return { counts: countNulls.counts, values: valueNulls.values };
}

/** Empirical guard: no more than the target share of baseline accounts may reach review. */
function guardBaselineThresholds(
  thresholds: LevelThresholds,
  refResults: readonly DetectorResult[][],
  lambda: number,
  cfg: DetectConfig,
): void {
  const strengths = refResults.map((r) => accountStrength(r, [], lambda));
  if (strengths.length < 50) return;
  thresholds.review = Math.max(thresholds.review, quantile(strengths, 1 - cfg.targetFpr));
  thresholds.monitor = Math.max(thresholds.monitor, quantile(strengths, 1 - cfg.monitorFpr));
  thresholds.act = Math.max(thresholds.act, thresholds.review + 1);
}
