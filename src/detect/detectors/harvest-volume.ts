import { NEAR_MAX_TOP_LOGPROBS } from '../../features/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/**
 * Distinct prompts whose output distribution a training set needs at the least: a developer
 * trying `top_logprobs` and `n` on a few dozen prompts takes nothing worth training on.
 */
export const MIN_HARVEST_PROMPTS = 100;

/**
 * How much was harvested, apart from how: the full output distribution (several samples at
 * non-zero temperature, `top_logprobs` near the API maximum, outputs long enough to train on)
 * taken over hundreds of distinct prompts. `output-harvesting` says an account uses the setting,
 * which one customer in N may do for its own reasons; this line says it took a training set's
 * worth with it, which the setting alone does not show. Measured only from MIN_HARVEST_PROMPTS
 * prompts, against a robust null (CountStat.robust): no ordinary account takes such a volume.
 */
export const harvestVolume: Detector = {
  id: 'harvest-volume',
  title: 'Output distributions harvested at volume',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  measure(s) {
    if (s.distributionPrompts < MIN_HARVEST_PROMPTS) return null;
    return {
      stats: [
        {
          kind: 'count',
          key: 'distributionPrompts',
          k: s.distributionPrompts,
          n: Math.max(s.prompts, s.distributionPrompts),
          robust: true,
        },
      ],
      evidence:
        `full output distributions (n > 1 at temperature > 0, top_logprobs ≥ ${NEAR_MAX_TOP_LOGPROBS}) ` +
        `taken on ${s.distributionPrompts} distinct prompts, ${pct(s.distributionPrompts, s.prompts)} of its ` +
        `${s.prompts} prompts (${s.distributionHarvest} requests)`,
      examples: s.harvestExamples.items.slice(0, 3),
    };
  },
};
