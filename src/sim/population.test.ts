import { describe, expect, it } from 'vitest';
import { periodFor } from './calendar.js';
import { buildPopulationWithParameters } from './population.js';
import { SCALES, type Scale } from './scales.js';

describe('population per scale', () => {
  // Campaign sizes are drawn per seed around the scale's nominal size (hydra 0.7-1.3 times).
  const expected: Record<Scale, { hydra: number; accounts: [number, number] }> = {
    small: { hydra: 150, accounts: [1_800, 2_300] },
    medium: { hydra: 1_500, accounts: [18_000, 23_000] },
    large: { hydra: 5_000, accounts: [90_000, 115_000] },
  };
  for (const scale of ['small', 'medium', 'large'] as const) {
    it(`${scale}: cluster sizes and account counts`, () => {
      const { behaviours: population, parameters } = buildPopulationWithParameters({
        seed: 1,
        actorSeed: 1,
        accountPrefix: 'acct_',
        spec: SCALES[scale],
        period: periodFor(1),
      });
      const byCampaign = new Map<string, number>();
      for (const b of population) {
        const c = b.account.truth.campaign ?? 'benign';
        byCampaign.set(c, (byCampaign.get(c) ?? 0) + 1);
      }
      const hydra = byCampaign.get('hydra')!;
      expect(hydra).toBe(parameters.hydra?.accounts);
      expect(hydra).toBeGreaterThanOrEqual(0.7 * expected[scale].hydra - 1);
      expect(hydra).toBeLessThanOrEqual(1.3 * expected[scale].hydra + 1);
      const [lo, hi] = SCALES[scale].lowRateAccounts;
      const lowRate = byCampaign.get('low-rate-coordinated')!;
      expect(lowRate).toBe(parameters['low-rate-coordinated']?.accounts);
      expect(lowRate).toBeGreaterThanOrEqual(lo);
      expect(lowRate).toBeLessThanOrEqual(hi);
      expect(population.length).toBeGreaterThanOrEqual(expected[scale].accounts[0]);
      expect(population.length).toBeLessThanOrEqual(expected[scale].accounts[1]);
      expect(new Set(population.map((b) => b.account.record.account_id)).size).toBe(population.length);
      for (const c of [
        'noisy-sweep',
        'mixed-account',
        'logprob-harvest',
        'slow-and-low',
        'pooled-client',
        'low-rate-coordinated',
        'trap:support-bot',
        'trap:eval-harness',
      ]) {
        expect(byCampaign.get(c), c).toBeGreaterThan(0);
      }
    });
  }
});
