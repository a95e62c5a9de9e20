import { describe, expect, it } from 'vitest';
import {
  betaBinomialFromMoments,
  betaBinomialSurvival,
  chiSquareEvenSurvivalLog10,
  fisherStatistic,
  normalSurvival,
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
  it("Fisher's method: two p-values of 0.05 combine to 0.0175", () => {
    const log10p = chiSquareEvenSurvivalLog10(fisherStatistic([0.05, 0.05]), 2);
    expect(10 ** log10p).toBeCloseTo(0.0175, 3);
  });
});
