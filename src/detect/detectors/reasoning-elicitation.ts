import type { EntityStats } from '../../features/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

// An account whose traffic is mostly one-shot requests: a system prompt asking for reasoning is
// then part of every request it sends, not the setting of a tutoring conversation.
const ONE_SHOT_FOLLOW_UP_SHARE = 0.1;

/**
 * Eliciting requests: in the user's words, unless the user answered the trace with a message of
 * their own (a learner asking about the steps, not a harvester collecting them); through the
 * system prompt on one-shot traffic.
 */
export function elicitationCounts(s: EntityStats): {
  elicit: number;
  templated: number;
  followedUp: number;
} {
  const oneShot = s.followUps <= ONE_SHOT_FOLLOW_UP_SHARE * s.n;
  // A follow-up whose opener fell before the window has nothing to take away.
  const followedUp = Math.min(s.elicitFollowedUp, s.elicit);
  const own = s.elicit - followedUp;
  return {
    elicit: own + (oneShot ? s.systemElicit : 0),
    templated: Math.min(s.templatedElicit, own) + (oneShot ? s.systemTemplatedElicit : 0),
    followedUp,
  };
}

/**
 * Prompts that ask the model to write out its reasoning: the most valuable training data.
 * Counted over the account's prompts (EntityStats.prompts), so a tool loop's resends of one
 * conversation are the one prompt they carry.
 */
export const reasoningElicitation: Detector = {
  id: 'reasoning-elicitation',
  title: 'Reasoning-trace elicitation',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  measure(s) {
    const n = s.prompts;
    if (n < 3) return null;
    const { elicit, templated, followedUp } = elicitationCounts(s);
    const conversed = followedUp
      ? `; ${followedUp} more that the user answered with a message of their own are not counted`
      : '';
    return {
      stats: [
        { kind: 'count', key: 'elicit', k: elicit, n },
        { kind: 'count', key: 'templatedElicit', k: templated, n },
      ],
      evidence: `${elicit} of ${n} prompts (${pct(elicit, n)}) ask for step-by-step reasoning traces, ${templated} of them in a sentence the account has sent before (a re-used wrapper)${conversed}`,
      examples: s.elicitExamples.items.slice(0, 3),
    };
  },
};
