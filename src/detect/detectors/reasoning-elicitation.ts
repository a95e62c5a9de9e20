import type { EntityStats } from '../../features/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

// An account whose traffic is mostly one-shot requests: a system prompt asking for reasoning is
// then part of every request it sends, not the setting of a tutoring conversation.
const ONE_SHOT_FOLLOW_UP_SHARE = 0.1;

/** Eliciting requests: in the user's words always, through the system prompt on one-shot traffic. */
export function elicitationCounts(s: EntityStats): { elicit: number; templated: number } {
  const oneShot = s.followUps <= ONE_SHOT_FOLLOW_UP_SHARE * s.n;
  return {
    elicit: s.elicit + (oneShot ? s.systemElicit : 0),
    templated: s.templatedElicit + (oneShot ? s.systemTemplatedElicit : 0),
  };
}

/** Prompts that ask the model to write out its reasoning: the most valuable training data. */
export const reasoningElicitation: Detector = {
  id: 'reasoning-elicitation',
  title: 'Reasoning-trace elicitation',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  measure(s) {
    if (s.n < 3) return null;
    const { elicit, templated } = elicitationCounts(s);
    return {
      stats: [
        { kind: 'count', key: 'elicit', k: elicit, n: s.n },
        { kind: 'count', key: 'templatedElicit', k: templated, n: s.n },
      ],
      evidence: `${elicit} of ${s.n} prompts (${pct(elicit, s.n)}) ask for step-by-step reasoning traces, ${templated} of them in a sentence the account has sent before (a re-used wrapper)`,
      examples: s.elicitExamples.items.slice(0, 3),
    };
  },
};
