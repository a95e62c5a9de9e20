import type { EvidenceLine, Level, LevelGate, Signal, StoppedBy } from '../contracts/index.js';
import type { DetectionContext, Detector, Measurement } from './detector.js';
import type { EntityStats } from '../features/index.js';
import { benignMedian, pValue, type NullModels } from './null-models.js';
import { chiSquareEvenSurvivalLog10, chiSquareMedian, fisherStatistic } from '../features/index.js';
import { MIN_ELICITING } from './detectors/elicitation-share.js';

export interface DetectorResult {
  detector: Detector;
  measurement: Measurement;
  /** p-value under the benign null, Bonferroni-adjusted over the detector's statistics. */
  p: number;
  /** Evidence strength: -log10 p, capped. */
  strength: number;
}

// The cap is only the floating-point floor of p (1e-300): strengths rank the flagged, so they
// must not saturate where the thresholds (at most a few dozen) have long been passed.
export const MAX_STRENGTH = 300;
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
    const measured = detector.measure(stats, ctx);
    if (!measured || measured.stats.length === 0) continue;
    const measurement = measured.evidenceWithMedians
      ? {
          ...measured,
          evidence: measured.evidenceWithMedians(measured.stats.map((s) => benignMedian(s, nulls))),
        }
      : measured;
    const ps = measurement.stats.map((s) => pValue(s, nulls, memberSizes));
    const p = Math.min(1, Math.min(...ps) * ps.length);
    out.push({ detector, measurement, p, strength: strengthOf(p) });
  }
  return out;
}

/** A result whose p-value was judged again (never stronger than before), with its evidence restated. */
export function restated(r: DetectorResult, p: number, evidence: string): DetectorResult {
  const q = Math.max(r.p, Math.min(1, p));
  return { ...r, measurement: { ...r.measurement, evidence }, p: q, strength: strengthOf(q) };
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

/**
 * The evidence of a blended account, pooled over the slice it added to its use rather than over
 * all its requests and all detectors: Fisher's method over its self-controlled lines (its
 * reasoning requests against its own other traffic: pacing, replies, domains), at least two of
 * them at p ≤ 0.001, one extraction. Among a long-lived customer's ordinary traffic, a 10-30 % harvest gives
 * two clear self-controlled lines that the population-wide lines around them dilute below review.
 * The lines test one slice, so they may share chance; the statistic is divided by the same
 * genomic-control factor, and p doubled because the account's strength takes the better of this
 * and the combination over all lines.
 */
export function sliceStrength(results: readonly DetectorResult[], lambda = 1): number {
  const slice = results.filter((r) => r.detector.control === 'self');
  if (!singledOut(slice)) return 0;
  const fisher = -chiSquareEvenSurvivalLog10(fisherStatistic(slice.map((r) => r.p)) / lambda, slice.length);
  return Math.min(MAX_STRENGTH * 2, Math.max(0, fisher - Math.log10(2)));
}

/**
 * Each self-controlled line singles out the slice at p ≤ 0.001 on its own (review's p), two of
 * them, one extraction: on medium seeds 2 and 3 an ordinary account's two weaker lines (p ≈ 5e-4
 * and 5e-3) pooled past review.
 */
const SLICE_LINE_STRENGTH = 3;
function singledOut(slice: readonly DetectorResult[]): boolean {
  const clear = slice.filter((r) => r.strength >= SLICE_LINE_STRENGTH);
  return clear.length >= 2 && clear.some((r) => r.detector.family === 'extraction');
}

/** An account's own evidence: over all its lines, or pooled over the slice it blended in. */
export function accountStrength(
  results: readonly DetectorResult[],
  extra: readonly number[] = [],
  lambda = 1,
): number {
  return Math.max(combinedStrength(results, extra, lambda), sliceStrength(results, lambda));
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

/** A level and the gate that kept it from the next one (null at act). */
export interface LevelDecision {
  level: Level;
  stoppedBy: StoppedBy | null;
}

/**
 * The level a strength reaches through its gates. Act needs the act strength, the act rule and
 * what review needs; review needs the review strength and corroboration. The basis in findings
 * is built from these same gates, so the explanation is the decision.
 */
export function levelOf(
  strength: number,
  t: LevelThresholds,
  review: Pick<LevelGate, 'passed'>,
  act: Pick<LevelGate, 'passed'>,
): LevelDecision {
  if (strength >= t.act && act.passed && review.passed) return { level: 'act', stoppedBy: null };
  if (strength >= t.review && review.passed)
    return { level: 'review', stoppedBy: strength < t.act ? 'act-threshold' : 'act-rule' };
  if (strength >= t.monitor)
    return { level: 'monitor', stoppedBy: strength < t.review ? 'review-threshold' : 'corroboration' };
  return { level: 'none', stoppedBy: 'monitor-threshold' };
}

/** Evidence strong enough to count as one line of corroboration (p ≤ 0.01). */
export const CORROBORATION_STRENGTH = 2;

export const CORROBORATION_RULE =
  'review needs two lines at p ≤ 0.01, one of them extraction on ≥ 20 requests, or one extraction line at p ≤ 1e-12 on ≥ 20 requests';

/** The account's rule: the same, or a blended slice (`blendedSlice`). */
export const ACCOUNT_CORROBORATION_RULE = `${CORROBORATION_RULE}, or two self-controlled lines at p ≤ 0.001 on the same slice of ≥ 10 requests, one of them extraction (a blended slice)`;

/** Requests a blended slice rests on: the self-controlled lines' own minimum (MIN_ELICITING). */
export const MIN_SLICE_REQUESTS = MIN_ELICITING;

/**
 * A blended slice: two self-controlled lines at p ≤ 0.001 single out the same requests, one of
 * them extraction. The 20-request floor guards against a benign app's quirks, which look most
 * extreme in small samples measured against the population; a self-controlled line measures the
 * account against itself, where an app's quirks apply to all its traffic and cancel, and two
 * different traits (how the slice is sent, whether it is read, what it is about) must both
 * single it out. So a light blend of 10-20 reasoning requests is corroborated by the account's
 * own history instead of by its volume.
 */
function blendedSlice(lines: readonly DetectorResult[]): DetectorResult[] | null {
  const slice = lines.filter(
    (r) =>
      r.detector.control === 'self' &&
      r.strength >= SLICE_LINE_STRENGTH &&
      requestsBehind(r) >= MIN_SLICE_REQUESTS,
  );
  return singledOut(slice) ? slice : null;
}

/** What an account's review gate reads besides its lines. */
export interface AccountGateInput {
  /** Its prompts (EntityStats.prompts): a blended slice is stated as a share of them. */
  prompts: number;
}

/**
 * Review needs two independent lines of evidence, one of them extraction content, or one
 * overwhelming line of content: templates,
 * schedules and odd timing alone are what legitimate automation looks like.
 */
export function corroboration(
  results: readonly DetectorResult[],
  externalContent = 0,
  account?: AccountGateInput,
): LevelGate {
  const lines = results
    .filter((r) => r.strength >= CORROBORATION_STRENGTH)
    .sort((a, b) => b.strength - a.strength);
  const extraction = lines.filter((r) => r.detector.family === 'extraction');
  const content = extraction.filter((r) => requestsBehind(r) >= MIN_EXTRACTION_REQUESTS);
  const rule = account ? ACCOUNT_CORROBORATION_RULE : CORROBORATION_RULE;
  const gate = (passed: boolean, detail: string): LevelGate => ({ passed, rule, detail });
  const overwhelming = content.find((r) => r.strength >= OVERWHELMING_STRENGTH);
  // One overwhelming line of extraction content (p ≤ 1e-12) stands on its own.
  if (overwhelming) return gate(true, `${describeLine(overwhelming)} stands on its own`);
  const intel = externalContent
    ? `${externalContent} intelligence signal${externalContent > 1 ? 's' : ''}`
    : '';
  const others = lines.filter((r) => !content.includes(r)).map((r) => r.detector.id);
  if (content.length + externalContent >= 1 && lines.length + externalContent >= 2) {
    const lead = content[0] ? describeLine(content[0]) : intel;
    const by = [
      ...(content[0] ? lines.filter((r) => r !== content[0]).map(nameWithFamily) : lines.map(nameWithFamily)),
      ...(content[0] && intel ? [intel] : []),
    ];
    return gate(true, `${lead}, corroborated by ${by.join(', ')}`);
  }
  const slice = account ? blendedSlice(lines) : null;
  if (slice && account) return gate(true, sliceText(slice, account.prompts));
  if (content.length + externalContent === 0) {
    const thin = extraction.map((r) => `${r.detector.id} rests on ${requestsBehind(r)}`);
    return gate(
      false,
      thin.length
        ? `no extraction line on ≥ ${MIN_EXTRACTION_REQUESTS} requests (${thin.join(', ')})`
        : `no extraction line at p ≤ 0.01${others.length ? ` (only ${others.join(', ')})` : ''}`,
    );
  }
  return gate(false, `${content[0] ? describeLine(content[0]) : intel} has no second line at p ≤ 0.01`);
}

const nameWithFamily = (r: DetectorResult): string => `${r.detector.id} (${r.detector.family})`;

/** "a blended slice: elicitation-pacing (extraction) p≈1e-9 and … single out the same 13 requests …, 6 % of its 203 prompts". */
function sliceText(slice: readonly DetectorResult[], prompts: number): string {
  const k = Math.max(...slice.map(requestsBehind));
  const names = slice.map((r) => `${nameWithFamily(r)} ${pText(r.strength)}`);
  const share = prompts > 0 ? `, ${Math.round((100 * k) / prompts)} % of its ${prompts} prompts` : '';
  return `a blended slice: ${names.join(' and ')} single out the same ${k} requests against the account's own other traffic${share}`;
}

/** "reasoning-elicitation p≈1e-9 on 240 requests". */
export function describeLine(r: DetectorResult): string {
  return `${r.detector.id} ${pText(r.strength)} on ${requestsBehind(r)} requests`;
}

/** p as an analyst reads it, from a strength: p≈1e-9, p≈0.004. */
export function pText(strength: number): string {
  if (strength >= 3) return `p≈1e-${Math.round(strength)}`;
  return `p≈${Number(Math.pow(10, -strength).toPrecision(1))}`;
}

/** The lines at p <= 0.01, strongest first, as findings report them. */
export function evidenceLines(results: readonly DetectorResult[]): EvidenceLine[] {
  return results
    .filter((r) => r.strength >= CORROBORATION_STRENGTH)
    .sort((a, b) => b.strength - a.strength)
    .map((r) => ({
      detector: r.detector.id,
      family: r.detector.family,
      strength: Math.round(r.strength * 100) / 100,
      requests: requestsBehind(r),
    }));
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
export const requestsBehind = (r: DetectorResult): number =>
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
