import { describe, expect, it } from 'vitest';
import {
  betaBinomialFromMoments,
  betaBinomialSurvival,
  chiSquareEvenSurvivalLog10,
  fisherStatistic,
  normalSurvival,
  twoProportionSurvival,
} from './statistics.js';

describe('statistics', () => {
  it('normal survival matches known values, far into the tail', () => {
    expect(normalSurvival(0)).toBeCloseTo(0.5, 6);
    expect(normalSurvival(1.959964)).toBeCloseTo(0.025, 5);
    expect(normalSurvival(6) / 9.865876e-10).toBeCloseTo(1, 3);
  });
  it('beta-binomial survival tends to the binomial as dispersion vanishes, and widens with it', () => {
    // Binomial(10, 0.5): P(K >= 8) = 56/1024.
    const near = betaBinomialSurvival(8, 10, betaBinomialFromMoments(0.5, 1e-4));
    expect(near).toBeCloseTo(56 / 1024, 3);
    expect(betaBinomialSurvival(8, 10, betaBinomialFromMoments(0.5, 0.3))).toBeGreaterThan(near);
    expect(betaBinomialSurvival(0, 10, betaBinomialFromMoments(0.2, 0.1))).toBe(1);
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
});
