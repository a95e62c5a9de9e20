import { ATLAS, pct, type Detector } from '../detector.js';

/** Prompts that ask the model to write out its reasoning: the most valuable training data. */
export const reasoningElicitation: Detector = {
  id: 'reasoning-elicitation',
  title: 'Reasoning-trace elicitation',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  measure(s) {
    if (s.n < 3) return null;
    return {
      stats: [
        { kind: 'count', key: 'elicit', k: s.elicit, n: s.n },
        { kind: 'count', key: 'templatedElicit', k: s.templatedElicit, n: s.n },
      ],
      evidence: `${s.elicit} of ${s.n} prompts (${pct(s.elicit, s.n)}) ask for step-by-step reasoning traces, ${s.templatedElicit} of them through a re-used wrapper`,
      examples: s.elicitExamples.items.slice(0, 3),
    };
  },
};
