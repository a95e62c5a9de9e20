import type { StixObject } from '../../contracts/index.js';

export interface ConfidenceModel {
  /** Days for confidence to halve without new sightings. */
  halfLifeDays: number;
  /** Each sighting closes this share of the remaining gap to 100. */
  sightingGain: number;
}

export const DEFAULT_CONFIDENCE: ConfidenceModel = { halfLifeDays: 30, sightingGain: 0.2 };

/**
 * A received indicator's confidence now: the publisher's confidence, halved every half-life
 * since it was last modified, raised by sightings (other members saw it too), and zero outside
 * [valid_from, valid_until) so expired indicators stop matching.
 */
export function effectiveConfidence(
  indicator: StixObject,
  now: Date,
  sightings = 0,
  model: ConfidenceModel = DEFAULT_CONFIDENCE,
): number {
  const t = now.getTime();
  const from = typeof indicator.valid_from === 'string' ? Date.parse(indicator.valid_from) : NaN;
  const until = typeof indicator.valid_until === 'string' ? Date.parse(indicator.valid_until) : NaN;
  if (!Number.isNaN(from) && t < from) return 0;
  if (!Number.isNaN(until) && t >= until) return 0;
  const base = typeof indicator.confidence === 'number' ? indicator.confidence : 50;
  const since = Date.parse(
    indicator.modified ??
      indicator.created ??
      (indicator.valid_from as string | undefined) ??
      now.toISOString(),
  );
  const ageDays = Math.max(0, (t - since) / 86_400_000);
  const decayed = base * 0.5 ** (ageDays / model.halfLifeDays);
  const boosted = 100 - (100 - decayed) * (1 - model.sightingGain) ** Math.max(0, sightings);
  return Math.round(Math.min(100, Math.max(0, boosted)) * 10) / 10;
}
