import type { Stat } from './detector.js';
import {
  betaBinomialFromMoments,
  betaBinomialSumSurvival,
  betaBinomialSurvival,
  countBelow,
  mad,
  median,
  normalSurvival,
  type BetaBinomial,
} from '../features/index.js';

interface BucketSummary {
  median: number;
  spread: number;
  /** Reference values, ascending, for empirical tail probabilities. */
  sorted: Float64Array;
}

/** Benign null distributions per statistic key, fitted on reference entities. */
export interface NullModels {
  /** `floor`: the smallest p-value of a robust statistic (CountStat.robust), 1/(N+1). */
  counts: Map<string, BetaBinomial & { mu: number; rho: number; floor?: number }>;
  values: Map<string, { buckets: Map<number, BucketSummary>; global: BucketSummary }>;
}

// Smallest spread a value statistic may have, so a near-constant benign population does not
// make every tiny deviation beyond its range look significant.
const MIN_SPREAD: Record<string, number> = {
  hourEvenness: 0.03,
  gapRegularity: 0.1,
  logMmd: 0.1,
  effectiveDomains: 0.4,
};
const minSpread = (key: string, center: number): number =>
  Math.max(MIN_SPREAD[key.split(':')[0]!] ?? 0.1, 0.02 * Math.abs(center));

// Smallest per-entity dispersion assumed for count statistics: people differ from each other.
const MIN_RHO = 0.02;
const MIN_BUCKET = 40;
/**
 * Share of the benign spread of per-account propensities (rho) that members of one linked group
 * hold in common. With it a pooled count grows significant with the group's *share*, not merely
 * its size: many accounts a little above the mean (a class asking for steps with its homework)
 * stay ordinary, while a campaign whose pooled traffic is mostly extraction is as overwhelming
 * as before.
 */
const GROUP_SHARE = 0.25;
const EXTREME_COUNT = 3;
/**
 * Share of reference accounts (at least EXTREME_COUNT) left out of a robust count null, the most
 * extreme first: the tested account is one of them, and so are others like it, however many of
 * the extreme accounts they are — an operator who runs several unlinked harvesters does not make
 * harvesting normal.
 */
const ROBUST_TRIM = 0.01;

const bucketOf = (n: number): number => Math.floor(Math.log2(Math.max(1, n)));

/**
 * Fits beta-binomial nulls for count statistics (method of moments over all reference
 * entities, so benign heavy tails — people who always use a parameter — are kept) and
 * empirical distributions per size bucket for value statistics, with a robust normal tail
 * (median, MAD) only beyond the largest reference value.
 */
export function fitNullModels(reference: Iterable<Stat[]>): NullModels {
  const counts = new Map<string, { k: number; n: number }[]>();
  const values = new Map<string, { v: number; n: number }[]>();
  const robust = new Set<string>();
  let entities = 0;
  for (const stats of reference) {
    entities++;
    for (const s of stats) {
      if (s.kind === 'count') {
        if (s.robust) robust.add(s.key);
        if (s.n < 3) continue;
        const list = counts.get(s.key) ?? [];
        list.push({ k: s.k, n: s.n });
        counts.set(s.key, list);
      } else if (s.kind === 'value' && Number.isFinite(s.value)) {
        const list = values.get(s.key) ?? [];
        list.push({ v: s.value, n: s.n });
        values.set(s.key, list);
      }
    }
  }
  const models: NullModels = { counts: new Map(), values: new Map() };
  for (const [key, all] of counts) {
    const list = robust.has(key) ? trimmed(all, entities) : all;
    const shares = list.map((x) => x.k / x.n);
    const mu = Math.max(shares.reduce((a, b) => a + b, 0) / shares.length, 0.002);
    const variance = shares.reduce((a, x) => a + (x - mu) ** 2, 0) / Math.max(1, shares.length - 1);
    const invN = list.reduce((a, x) => a + 1 / x.n, 0) / list.length;
    const binomialPart = mu * (1 - mu) * invN;
    const rho = Math.min(
      0.95,
      Math.max(MIN_RHO, (variance - binomialPart) / Math.max(1e-9, mu * (1 - mu) * (1 - invN))),
    );
    const floor = robust.has(key) ? 1 / (entities + 1) : undefined;
    models.counts.set(key, { ...betaBinomialFromMoments(mu, rho), mu, rho, ...(floor ? { floor } : {}) });
  }
  for (const [key, list] of values) {
    const summarise = (vs: number[]): BucketSummary => {
      const m = median(vs);
      return {
        median: m,
        spread: Math.max(mad(vs, m), minSpread(key, m)),
        sorted: Float64Array.from(vs).sort(),
      };
    };
    // Buckets by log2 size; a small bucket borrows from its neighbours until it has enough.
    const byBucket = new Map<number, number[]>();
    for (const x of list) {
      const b = bucketOf(x.n);
      const arr = byBucket.get(b) ?? [];
      arr.push(x.v);
      byBucket.set(b, arr);
    }
    const buckets = new Map<number, BucketSummary>();
    for (const b of byBucket.keys()) {
      let vs = byBucket.get(b)!;
      for (let d = 1; vs.length < MIN_BUCKET && d < 6; d++)
        vs = [...vs, ...(byBucket.get(b - d) ?? []), ...(byBucket.get(b + d) ?? [])];
      if (vs.length >= MIN_BUCKET) buckets.set(b, summarise(vs));
    }
    models.values.set(key, { buckets, global: summarise(list.map((x) => x.v)) });
  }
  return models;
}

/** A robust count's reference without its most extreme accounts (the highest shares, ROBUST_TRIM). */
function trimmed(list: readonly { k: number; n: number }[], entities: number): { k: number; n: number }[] {
  const drop = Math.max(EXTREME_COUNT, Math.ceil(ROBUST_TRIM * entities));
  const sorted = [...list].sort((a, b) => b.k / b.n - a.k / a.n);
  const kept = sorted.slice(Math.min(drop, sorted.length));
  return kept.length > 0 ? kept : [{ k: 0, n: 3 }];
}

/**
 * The benign reference a value statistic is judged against: the nearest size bucket with enough
 * reference entities (larger entities fall back to smaller buckets when the reference has none
 * as large), else all of them.
 */
function valueSummary(stat: Stat & { kind: 'value' }, nulls: NullModels): BucketSummary | undefined {
  const model = nulls.values.get(stat.key);
  if (!model) return undefined;
  const b = bucketOf(stat.n);
  let summary = model.buckets.get(b);
  for (let d = 1; !summary && d < 40; d++) summary = model.buckets.get(b - d) ?? model.buckets.get(b + d);
  return summary ?? model.global;
}

/** The benign median of a value statistic for entities of its size (what "typical" means in evidence). */
export function benignMedian(stat: Stat, nulls: NullModels): number | undefined {
  return stat.kind === 'value' ? valueSummary(stat, nulls)?.median : undefined;
}

/** Share of reference values at or above x, with add-one smoothing. */
function empiricalTail(sorted: Float64Array, x: number): number {
  return (sorted.length - countBelow(sorted, x) + 1) / (sorted.length + 1);
}

/**
 * One-sided p-value of a statistic under the benign null. `memberSizes` marks a pooled cluster:
 * its count is tested as a sum of accounts, each with the benign dispersion, that share a part
 * of it (GROUP_SHARE).
 */
export function pValue(stat: Stat, nulls: NullModels, memberSizes?: readonly number[]): number {
  if (stat.kind === 'test') return stat.p;
  if (stat.kind === 'count') {
    const bb = nulls.counts.get(stat.key);
    if (!bb) return 1;
    if (memberSizes && memberSizes.length > 1) {
      let mean = 0;
      let variance = 0;
      let total = 0;
      let squares = 0;
      for (const n of memberSizes) {
        mean += n * bb.mu;
        variance += n * bb.mu * (1 - bb.mu) * (1 + (n - 1) * bb.rho);
        total += n;
        squares += n * n;
      }
      // Members are not independent draws: people grouped by where they are (a class behind a
      // university's NAT, a team on one network) share part of what makes accounts differ, so
      // every pair of members covaries by that shared part of the benign spread of propensities.
      variance += GROUP_SHARE * bb.rho * bb.mu * (1 - bb.mu) * (total * total - squares);
      const normal = normalSurvival((stat.k - 0.5 - mean) / Math.sqrt(Math.max(variance, 1e-9)));
      // A few members, one or two of them heavy users, sum to nothing like a normal, whose tail
      // is then far too thin (2e-16 for a four-account team whose members are each ordinary).
      const exact = betaBinomialSumSurvival(stat.k, memberSizes, bb);
      return Math.max(bb.floor ?? 0, exact === null ? normal : Math.max(normal, exact));
    }
    return Math.max(bb.floor ?? 0, betaBinomialSurvival(stat.k, stat.n, bb));
  }
  const summary = valueSummary(stat, nulls);
  if (!summary) return 1;
  const empirical = empiricalTail(summary.sorted, stat.value);
  // Within the reference's range the empirical tail is honest about heavy benign tails. Among
  // the last few values (the entity itself is usually one of them) it cannot go lower than a few
  // over the reference size, so there the robust normal tail extrapolates.
  const extreme = (EXTREME_COUNT + 1) / (summary.sorted.length + 1);
  if (empirical > extreme) return empirical;
  return Math.min(empirical, normalSurvival((stat.value - summary.median) / summary.spread));
}
