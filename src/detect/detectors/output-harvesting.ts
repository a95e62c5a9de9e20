import { ATLAS, pct, type Detector } from '../detector.js';

/** Parameters that extract more than an answer: token probabilities (soft labels) and many samples. */
export const outputHarvesting: Detector = {
  id: 'output-harvesting',
  title: 'Output-harvesting parameters',
  atlas: ATLAS.extractModel,
  family: 'content',
  measure(s) {
    if (s.n < 3) return null;
    const k = Math.max(s.topLogprobs, s.multiSample, Math.round(s.logprobs / 2));
    const parts = [
      `logprobs on ${s.logprobs}`,
      `top_logprobs ≥ 5 on ${s.topLogprobs}`,
      `n > 1 on ${s.multiSample}`,
      `max_tokens ≥ 4000 on ${s.longOutput}`,
      `temperature 0 on ${s.greedy}`,
    ];
    return {
      stats: [
        { kind: 'count', key: 'softLabels', k: s.topLogprobs, n: s.n },
        { kind: 'count', key: 'multiSample', k: s.multiSample, n: s.n },
      ],
      evidence: `of ${s.n} requests: ${parts.join(', ')} (${pct(k, s.n)} harvest-shaped)`,
      examples: s.harvestExamples.items.slice(0, 3),
    };
  },
};
