import { NEAR_MAX_TOP_LOGPROBS } from '../../features/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/**
 * Parameters that extract more than an answer: token probabilities over outputs long enough
 * to train on (soft labels), and several samples per prompt at non-zero temperature (the
 * output distribution). Logprobs on one-token outputs score a multiple-choice answer, as an
 * evaluation harness does, and are not counted. Both at once with `top_logprobs` near the API
 * maximum takes the distribution itself, which no app scoring its own answers needs: that share
 * is tested against a robust null (CountStat.robust), so other harvesters do not make it normal.
 */
export const outputHarvesting: Detector = {
  id: 'output-harvesting',
  title: 'Output-harvesting parameters',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  trait: true,
  measure(s) {
    if (s.n < 3) return null;
    const parts = [
      `soft labels (logprobs on outputs ≥ 64 tokens) on ${s.softLabels}`,
      `top_logprobs ≥ 5 on ${s.topLogprobs}`,
      `n > 1 at temperature > 0 on ${s.multiSamples}`,
      `both on ${s.fullHarvest}`,
      `both with top_logprobs ≥ ${NEAR_MAX_TOP_LOGPROBS} on ${s.distributionHarvest}`,
      `max_tokens ≥ 4000 on ${s.longOutput}`,
      `temperature 0 on ${s.greedy}`,
    ];
    const k = Math.max(s.softLabels, s.multiSamples);
    return {
      stats: [
        { kind: 'count', key: 'softLabels', k: s.softLabels, n: s.n },
        { kind: 'count', key: 'multiSample', k: s.multiSamples, n: s.n },
        { kind: 'count', key: 'fullHarvest', k: s.fullHarvest, n: s.n },
        { kind: 'count', key: 'distributionHarvest', k: s.distributionHarvest, n: s.n, robust: true },
      ],
      evidence: `${pct(k, s.n)} of ${s.n} requests harvest-shaped: ${parts.join(', ')}`,
      examples: s.harvestExamples.items.slice(0, 3),
    };
  },
};
