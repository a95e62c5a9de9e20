import type { StixObject } from '../src/contracts/index.js';

/** Hand-made STIX 2.1 objects for tests: one shape, so tests differ only in what they are about. */

/** When fixture objects were created and last modified, unless a test says otherwise. */
export const STIX_TIME = '2026-11-20T00:00:00.000Z';

/**
 * The id of fixture object `n` of `type`: a valid STIX id (UUID version 4, variant 8) whose last
 * group is `n`, so a failure names the object. A string `n` is taken as written (hex ids).
 */
export const fixtureId = (type: string, n: number | string): string =>
  `${type}--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A STIX 2.1 object of `type` numbered `n`, created and last modified at `at`, then `fields`. */
export function stixObject<F extends Record<string, unknown>>(
  type: string,
  n: number | string,
  fields: F,
  at = STIX_TIME,
): { type: string; spec_version: '2.1'; id: string; created: string; modified: string } & F {
  // Fields after the common ones: an `id` or time given in `fields` replaces it in place.
  return { type, spec_version: '2.1', id: fixtureId(type, n), created: at, modified: at, ...fields };
}

/** A foreign indicator numbered `n` (no DistillGuard extension): a STIX `pattern`, confidence 70. */
export const stixIndicator = (n: number, pattern: string) =>
  stixObject('indicator', n, {
    pattern,
    pattern_type: 'stix',
    valid_from: '2026-11-20T00:00:00Z',
    confidence: 70,
  });

/**
 * A campaign named `name` that `indicators` indicate, as a foreign producer shares it: the
 * campaign, then each indicator followed by its `indicates` relationship (numbered in order).
 */
export function indicatedCampaign(name: string, indicators: readonly StixObject[]): StixObject[] {
  const campaign = stixObject('campaign', 1, { name });
  return [
    campaign,
    ...indicators.flatMap((ind, i) => [
      ind,
      stixObject('relationship', i, {
        relationship_type: 'indicates',
        source_ref: ind.id,
        target_ref: campaign.id,
      }),
    ]),
  ];
}
