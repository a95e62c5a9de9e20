import { MIN_ELICITING, MIN_OTHER, selfControlledTest } from './elicitation-share.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/** An account that converses: without replies of its own there is nothing to compare with. */
const MIN_ANSWERED_OTHER = 10;

/**
 * Whether an account reads the reasoning it asks for. A person who asks to be walked through
 * something goes on talking about it about as often as about anything else they ask ("why did
 * you divide by 12 there"); a harvester collects the trace and never answers it. An account that
 * replies to its other messages but leaves its reasoning requests unanswered is blending a
 * harvest into a person's use. The account is its own control (one-sided two-proportion test of
 * unanswered shares: its eliciting messages against its other messages), so how talkative the
 * person is does not matter. Behaviour, not content: it corroborates an extraction line and never
 * carries a finding alone.
 */
export const elicitationUnanswered: Detector = {
  id: 'elicitation-unanswered',
  title: 'Reasoning requested and never answered, unlike the account’s other messages',
  atlas: ATLAS.extractModel,
  family: 'behaviour',
  measure(s) {
    // A message is answered when a later request of the conversation carries it as the previous
    // user message: every follow-up answers one message, elicitFollowedUp of them an eliciting one.
    const n1 = s.elicit;
    const n0 = s.n - s.elicit;
    const answered1 = s.elicitFollowedUp;
    const answered0 = Math.max(0, s.followUps - s.elicitFollowedUp);
    if (n1 < MIN_ELICITING || n0 < MIN_OTHER || answered0 < MIN_ANSWERED_OTHER) return null;
    const x1 = Math.max(0, n1 - answered1);
    const x0 = n0 - Math.min(n0, answered0);
    return selfControlledTest(
      s,
      'elicitUnanswered',
      { x: x1, n: n1 },
      { x: x0, n: n0 },
      `${x1} of ${n1} messages asking for reasoning (${pct(x1, n1)}) were never answered by the user, against ${x0} of ${n0} (${pct(x0, n0)}) of the account's other messages.`,
      s.elicitExamples.items,
    );
  },
};
