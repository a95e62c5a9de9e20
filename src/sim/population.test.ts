import { describe, expect, it } from 'vitest';
import { periodFor } from './calendar.js';
import { buildPopulation } from './population.js';
import { SCALES, type Scale } from './scales.js';

describe('population per scale', () => {
  const expected: Record<Scale, { hydra: number; accounts: [number, number] }> = {
    small: { hydra: 150, accounts: [1_800, 2_200] },
    medium: { hydra: 1_500, accounts: [18_000, 22_000] },
    large: { hydra: 5_000, accounts: [90_000, 110_000] },
  };
  for (const scale of ['small', 'medium', 'large'] as const) {
    it(`${scale}: cluster sizes and account counts`, () => {
      const population = buildPopulation({
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
      expect(byCampaign.get('hydra')).toBe(expected[scale].hydra);
      expect(population.length).toBeGreaterThanOrEqual(expected[scale].accounts[0]);
      expect(population.length).toBeLessThanOrEqual(expected[scale].accounts[1]);
      expect(new Set(population.map((b) => b.account.record.account_id)).size).toBe(population.length);
      for (const c of [
        'noisy-sweep',
        'mixed-account',
        'logprob-harvest',
        'slow-and-low',
        'pooled-client',
        'trap:support-bot',
        'trap:eval-harness',
      ]) {
        expect(byCampaign.get(c), c).toBeGreaterThan(0);
      }
    });
  }
});
