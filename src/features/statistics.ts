// Small, exact-enough statistical functions for p-values; written here because they run per
// account and a dependency would be larger than the code.

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < 8; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

/**
 * log10 P(X ≥ k) for X ~ Poisson(mu), with k allowed to be fractional (the regularised lower
 * incomplete gamma P(k, mu), by its series), accurate far into the tail. 0 when k ≤ mu.
 */
export function poissonSurvivalLog10(k: number, mu: number): number {
  if (!(k > mu) || !(mu > 0)) return k > 0 && !(mu > 0) ? -Infinity : 0;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 10_000 && term > sum * 1e-15; n++) {
    term *= mu / (k + n);
    sum += term;
  }
  return (k * Math.log(mu) - mu - logGamma(k + 1) + Math.log(sum)) / Math.LN10;
}

/** Upper tail of the standard normal, accurate far into the tail (for tiny p-values). */
export function normalSurvival(z: number): number {
  if (z < 0) return 1 - normalSurvival(-z);
  // Complementary error function, W. J. Cody's rational approximation via erfc continued fraction.
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const tau =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return tau / 2;
}

/**
 * One-sided two-proportion z-test (with continuity correction, conservative on small samples):
 * the p-value that x1/n1 exceeds x0/n0 only by chance. 1 when the pooled share is 0 or 1, where
 * the samples cannot differ.
 */
export function twoProportionSurvival(x1: number, n1: number, x0: number, n0: number): number {
  const pooled = (x1 + x0) / (n1 + n0);
  if (!(pooled > 0 && pooled < 1)) return 1;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  return normalSurvival((x1 / n1 - x0 / n0 - 0.5 * (1 / n1 + 1 / n0)) / se);
}

/** A fitted beta-binomial null: per-trial rate mean `mu` with between-entity dispersion `rho`. */
export interface BetaBinomial {
  alpha: number;
  beta: number;
}

export function betaBinomialFromMoments(mu: number, rho: number): BetaBinomial {
  const m = Math.min(Math.max(mu, 1e-4), 1 - 1e-4);
  const r = Math.min(Math.max(rho, 1e-4), 0.95);
  const s = 1 / r - 1;
  return { alpha: m * s, beta: (1 - m) * s };
}

/** ln P(K = j) for K ~ BetaBinomial(n, alpha, beta); `lb` is logBeta(alpha, beta), hoisted by callers. */
function betaBinomialLogPmf(j: number, n: number, bb: BetaBinomial, lb: number): number {
  return (
    logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1) + logBeta(j + bb.alpha, n - j + bb.beta) - lb
  );
}

/** P(K ≥ k) for K ~ BetaBinomial(n, alpha, beta). Exact up to n = 5000, normal beyond. */
export function betaBinomialSurvival(k: number, n: number, bb: BetaBinomial): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const { alpha, beta } = bb;
  if (n > 5000) {
    const mu = alpha / (alpha + beta);
    const rho = 1 / (alpha + beta + 1);
    const variance = n * mu * (1 - mu) * (1 + (n - 1) * rho);
    return normalSurvival((k - 0.5 - n * mu) / Math.sqrt(variance));
  }
  const lb = logBeta(alpha, beta);
  let sum = 0;
  for (let j = k; j <= n; j++) sum += Math.exp(betaBinomialLogPmf(j, n, bb, lb));
  return Math.min(1, Math.max(sum, 0));
}

/**
 * P(S ≥ k) for S the sum of independent BetaBinomial(n_i, alpha, beta) members, exact by
 * convolution; null when their requests total more than `maxTotal` (the cost grows with its square).
 */
export function betaBinomialSumSurvival(
  k: number,
  sizes: readonly number[],
  bb: BetaBinomial,
  maxTotal = 4000,
): number | null {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > maxTotal) return null;
  if (k <= 0) return 1;
  if (k > total) return 0;
  const lb = logBeta(bb.alpha, bb.beta);
  let dist = new Float64Array([1]);
  for (const n of sizes) {
    const pmf = new Float64Array(n + 1);
    for (let j = 0; j <= n; j++) pmf[j] = Math.exp(betaBinomialLogPmf(j, n, bb, lb));
    const next = new Float64Array(dist.length + n);
    for (let a = 0; a < dist.length; a++) {
      const da = dist[a]!;
      if (da === 0) continue;
      for (let j = 0; j <= n; j++) next[a + j]! += da * pmf[j]!;
    }
    dist = next;
  }
  let tail = 0;
  for (let j = k; j < dist.length; j++) tail += dist[j]!;
  return Math.min(1, Math.max(tail, 0));
}

/** P(K ≥ k) for K ~ Binomial(n, q), summed exactly from the log-pmf (n is a count of accounts). */
export function binomialSurvival(k: number, n: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  const lq = Math.log(q);
  const lr = Math.log1p(-q);
  const lnf = logGamma(n + 1);
  let sum = 0;
  for (let j = k; j <= n; j++)
    sum += Math.exp(lnf - logGamma(j + 1) - logGamma(n - j + 1) + j * lq + (n - j) * lr);
  return Math.min(1, Math.max(sum, 0));
}

/** Fisher's statistic -2 Σ ln p over independent p-values. */
export function fisherStatistic(pValues: readonly number[]): number {
  return pValues.reduce((x, p) => x - 2 * Math.log(Math.max(p, 1e-300)), 0);
}

/** log10 survival of chi-square with 2m degrees of freedom at x (closed form for even df). */
export function chiSquareEvenSurvivalLog10(x: number, m: number): number {
  if (m <= 0) return 0;
  const half = x / 2;
  let logTerm = 0;
  let logSum = 0;
  for (let i = 1; i < m; i++) {
    logTerm += Math.log(half) - Math.log(i);
    logSum = logSum + Math.log1p(Math.exp(logTerm - logSum));
  }
  return Math.min(0, (-half + logSum) / Math.LN10);
}

/** Median of chi-square with k degrees of freedom (Wilson-Hilferty). */
export const chiSquareMedian = (k: number): number => k * (1 - 2 / (9 * k)) ** 3;

/**
 * How many of `sorted` (ascending, by `key` when given) lie below x: the index of the first one
 * at or above it (binary search).
 */
export function countBelow<T>(sorted: ArrayLike<T>, x: number, key?: (v: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if ((key ? key(v) : (v as number)) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation scaled to estimate a normal standard deviation. */
export function mad(values: readonly number[], center = median(values)): number {
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function entropy(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) h -= (c / total) * Math.log(c / total);
  }
  return h;
}
