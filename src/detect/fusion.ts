import type { Level, Signal } from '../contracts/index.js';
import type { DetectionContext, Detector, Measurement } from './detector.js';
import type { EntityStats } from '../features/index.js';
import { pValue, type NullModels } from './null-models.js';
import { chiSquareEvenSurvivalLog10, chiSquareMedian, fisherStatistic } from '../features/index.js';

export interface DetectorResult {
  detector: Detector;
  measurement: Measurement;
  /** p-value under the benign null, Bonferroni-adjusted over the detector's statistics. */
  p: number;
  /** Evidence strength: -log10 p, capped. */
  strength: number;
}

export const MAX_STRENGTH = 30;
const strengthOf = (p: number): number => Math.min(MAX_STRENGTH, -Math.log10(Math.max(p, 1e-300)));

export function runDetectors(
  detectors: readonly Detector[],
  stats: EntityStats,
  ctx: DetectionContext,
  nulls: NullModels,
  memberSizes?: readonly number[],
): DetectorResult[] {
  const out: DetectorResult[] = [];
  for (const detector of detectors) {
    const measurement = detector.measure(stats, ctx);
    if (!measurement || measurement.stats.length === 0) continue;
    const ps = measurement.stats.map((s) => pValue(s, nulls, memberSizes));
    const p = Math.min(1, Math.min(...ps) * ps.length);
    out.push({ detector, measurement, p, strength: strengthOf(p) });
  }
  return out;
}

/**
 * Combined evidence over detectors: Fisher's method, with the statistic divided by a genomic-
 * control factor `lambda` (median observed / median expected over the benign reference, as in
 * genome-wide association studies) so that detectors correlated in benign traffic do not add
 * up to false confidence. Returned as -log10 of the combined p-value.
 */
export function combinedStrength(
  results: readonly DetectorResult[],
  extra: readonly number[] = [],
  lambda = 1,
): number {
  const ps = [...results.map((r) => r.p), ...extra];
  if (ps.length === 0) return 0;
  const fisher = -chiSquareEvenSurvivalLog10(fisherStatistic(ps) / lambda, ps.length);
  return Math.min(MAX_STRENGTH * 2, Math.max(fisher, pairedExtractionStrength(results)));
}

/**
 * Two extraction lines at once: the second-smallest of the m extraction p-values, whose tail
 * under independence is C(m, 2)·x² for small x. Fisher's method dilutes two clear lines among
 * many quiet detectors; this does not, and it needs two of them, never one.
 */
export function pairedExtractionStrength(results: readonly DetectorResult[]): number {
  const ps = results
    .filter((r) => r.detector.family === 'extraction')
    .map((r) => r.p)
    .sort((a, b) => a - b);
  if (ps.length < 2) return 0;
  const m = ps.length;
  const second = Math.max(ps[1]!, 1e-300);
  return Math.max(0, -Math.log10(Math.min(1, ((m * (m - 1)) / 2) * second * second)));
}

/** The genomic-control factor over reference entities (at least 1). */
export function genomicControl(references: readonly DetectorResult[][]): number {
  const ratios = references
    .filter((r) => r.length > 0)
    .map((r) => fisherStatistic(r.map((x) => x.p)) / chiSquareMedian(2 * r.length))
    .sort((a, b) => a - b);
  if (ratios.length < 20) return 1;
  return Math.max(1, ratios[ratios.length >> 1]!);
}

/** Maps evidence strength to a score in [0, 1]: 0.5 at p = 0.001, 0.8 at p = 1e-12. */
export const scoreOfStrength = (strength: number): number =>
  Math.round((strength / (strength + 3)) * 1000) / 1000;

export interface LevelThresholds {
  /** Strength at which an account is worth watching (default p ≤ 0.01). */
  monitor: number;
  /** Strength at which a person should look (p ≤ target false-positive rate). */
  review: number;
  /** Strength a cluster or account needs for `act`, besides the corroboration rules. */
  act: number;
  /** Strength one content detector needs to count as corroborating extraction. */
  corroborate: number;
}

export function levelOf(
  strength: number,
  t: LevelThresholds,
  actAllowed: boolean,
  reviewAllowed = true,
): Level {
  if (strength >= t.act && actAllowed) return 'act';
  if (strength >= t.review && reviewAllowed) return 'review';
  if (strength >= t.monitor) return 'monitor';
  return 'none';
}

/** Evidence strong enough to count as one line of corroboration (p ≤ 0.01). */
export const CORROBORATION_STRENGTH = 2;

/**
 * Review needs two independent lines of evidence, one of them extraction content, or one
 * overwhelming line of content: templates,
 * schedules and odd timing alone are what legitimate automation looks like.
 */
export function corroborated(results: readonly DetectorResult[], externalContent = 0): boolean {
  const lines = results.filter((r) => r.strength >= CORROBORATION_STRENGTH);
  const content = lines.filter(
    (r) => r.detector.family === 'extraction' && requestsBehind(r) >= MIN_EXTRACTION_REQUESTS,
  );
  // One overwhelming line of extraction content (p ≤ 1e-12) stands on its own.
  if (content.some((r) => r.strength >= OVERWHELMING_STRENGTH)) return true;
  return content.length + externalContent >= 1 && lines.length + externalContent >= 2;
}
const OVERWHELMING_STRENGTH = 12;

/**
 * An account's own extraction evidence must rest on this many requests before a person is asked
 * to look: a dozen odd prompts harvest nothing worth copying, and small samples are where a
 * benign app's quirks look most extreme. Light accounts of a real campaign are reached through
 * their cluster instead.
 */
export const MIN_EXTRACTION_REQUESTS = 20;

/** How many requests a detector's evidence rests on: the flagged count, or the sample size. */
const requestsBehind = (r: DetectorResult): number =>
  Math.max(0, ...r.measurement.stats.map((s) => (s.kind === 'count' ? s.k : s.n)));

export function toSignals(results: readonly DetectorResult[], minStrength: number): Signal[] {
  return results
    .filter((r) => r.strength >= minStrength)
    .sort((a, b) => b.strength - a.strength)
    .map((r) => ({
      detector: r.detector.id,
      score: scoreOfStrength(r.strength),
      evidence: r.measurement.evidence,
      atlas: r.detector.atlas,
      p_value: Number(r.p.toPrecision(3)),
      examples: r.measurement.examples,
    }));
}
