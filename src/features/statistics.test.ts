import { describe, expect, it } from 'vitest';
import {
  betaBinomialFromMoments,
  betaBinomialSurvival,
  binomialSurvival,
  chiSquareEvenSurvivalLog10,
  countBelow,
  fisherStatistic,
  normalSurvival,
  poissonSurvivalLog10,
  twoProportionSurvival,
} from './statistics.js';

describe('statistics', () => {
  it('normal survival matches known values, far into the tail', () => {
    expect(normalSurvival(0)).toBeCloseTo(0.5, 6);
    expect(normalSurvival(1.959964)).toBeCloseTo(0.025, 5);
    expect(normalSurvival(6) / 9.865876e-10).toBeCloseTo(1, 3);
  });
  it('Poisson upper tail matches exact sums, far into the tail, and between integers', () => {
    const exactLog10 = (k: number, mu: number): number => {
      let p = 0;
      let term = Math.exp(-mu);
      for (let i = 0; i < 400; i++) {
        if (i >= k) p += term;
        term *= mu / (i + 1);
      }
      return Math.log10(p);
    };
    expect(poissonSurvivalLog10(10, 2)).toBeCloseTo(exactLog10(10, 2), 6);
    expect(poissonSurvivalLog10(60, 5)).toBeCloseTo(exactLog10(60, 5), 4);
    expect(poissonSurvivalLog10(3, 5)).toBe(0);
    const between = poissonSurvivalLog10(10.5, 2);
    expect(between).toBeLessThan(poissonSurvivalLog10(10, 2));
    expect(between).toBeGreaterThan(poissonSurvivalLog10(11, 2));
  });
  it('beta-binomial survival tends to the binomial as dispersion vanishes, and widens with it', () => {
    // Binomial(10, 0.5): P(K >= 8) = 56/1024.
    const near = betaBinomialSurvival(8, 10, betaBinomialFromMoments(0.5, 1e-4));
    expect(near).toBeCloseTo(56 / 1024, 3);
    expect(betaBinomialSurvival(8, 10, betaBinomialFromMoments(0.5, 0.3))).toBeGreaterThan(near);
    expect(betaBinomialSurvival(0, 10, betaBinomialFromMoments(0.2, 0.1))).toBe(1);
  });
  it('binomial survival: exact tails over a handful of accounts, and its edges', () => {
    // Two of two customers with a trait 3.5 % of accounts have; one of two.
    expect(binomialSurvival(2, 2, 0.035)).toBeCloseTo(0.035 ** 2, 12);
    expect(binomialSurvival(1, 2, 0.035)).toBeCloseTo(1 - 0.965 ** 2, 12);
    // Three of four: 4 q³ (1 − q) + q⁴.
    expect(binomialSurvival(3, 4, 0.035) / (4 * 0.035 ** 3 * 0.965 + 0.035 ** 4)).toBeCloseTo(1, 10);
    expect(binomialSurvival(0, 5, 0.2)).toBe(1);
    expect(binomialSurvival(6, 5, 0.2)).toBe(0);
    expect(binomialSurvival(30, 30, 0.04) / 0.04 ** 30).toBeCloseTo(1, 8);
  });
  it('two-proportion test: one-sided, continuity-corrected, no evidence when nothing differs', () => {
    // 30/40 vs 10/40: z = (0.5 - 0.025) / sqrt(0.25 * 0.05) = 4.249.
    expect(twoProportionSurvival(30, 40, 10, 40)).toBeCloseTo(normalSurvival(0.475 / Math.sqrt(0.0125)), 12);
    expect(twoProportionSurvival(30, 40, 10, 40)).toBeLessThan(2e-5);
    expect(twoProportionSurvival(10, 40, 30, 40)).toBeGreaterThan(0.99);
    expect(twoProportionSurvival(0, 40, 0, 400)).toBe(1);
    expect(twoProportionSurvival(40, 40, 400, 400)).toBe(1);
  });
  it("Fisher's method: two p-values of 0.05 combine to 0.0175", () => {
    const log10p = chiSquareEvenSurvivalLog10(fisherStatistic([0.05, 0.05]), 2);
    expect(10 ** log10p).toBeCloseTo(0.0175, 3);
  });
  it('countBelow counts the values below x, ties not included, by key when given', () => {
    const sorted = Float64Array.from([1, 2, 2, 2, 5]);
    expect([0, 1, 2, 3, 5, 6].map((x) => countBelow(sorted, x))).toEqual([0, 0, 1, 4, 4, 5]);
    expect(countBelow([], 3)).toBe(0);
    const rows = [{ n: 1 }, { n: 4 }, { n: 4 }, { n: 9 }];
    expect(countBelow(rows, 4, (r) => r.n)).toBe(1);
    expect(countBelow(rows, 10, (r) => r.n)).toBe(4);
  });
});
