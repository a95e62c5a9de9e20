import { MIN_ELICITING, MIN_OTHER, selfControlledTest } from './elicitation-share.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/** An account that converses: without replies of its own there is nothing to compare with. */
const MIN_ANSWERED_OTHER = 10;

/**
 * Whether an account reads the reasoning it asks for. A person who opens a conversation asking
 * to be walked through something goes on talking about it about as often as after any other
 * opening ("why did you divide by 12 there"); a harvester collects the trace and never answers
 * it. An account that replies after its other openings but leaves its reasoning requests
 * unanswered is blending a harvest into a person's use. The account is its own control
 * (one-sided two-proportion test of unanswered shares), so how talkative the person is does not
 * matter; openers are compared with openers, because a conversation's later messages are
 * answered more often than its first whatever they ask, and each opener counts once however
 * many tool-loop steps resend it. Behaviour, not content: it corroborates an extraction line and
 * never carries a finding alone.
 */
export const elicitationUnanswered: Detector = {
  id: 'elicitation-unanswered',
  title: 'Reasoning requested and never answered, unlike the account’s other conversations',
  atlas: ATLAS.extractModel,
  family: 'behaviour',
  control: 'self',
  measure(s) {
    // An opener is answered by the conversation's second user message.
    const n1 = s.elicitOpeners;
    const n0 = s.openers - s.elicitOpeners;
    const answered1 = Math.min(s.elicitOpenerReplies, n1);
    const answered0 = Math.max(0, s.openerReplies - s.elicitOpenerReplies);
    if (n1 < MIN_ELICITING || n0 < MIN_OTHER || answered0 < MIN_ANSWERED_OTHER) return null;
    const x1 = n1 - answered1;
    const x0 = n0 - Math.min(n0, answered0);
    return selfControlledTest(
      s,
      'elicitUnanswered',
      { x: x1, n: n1 },
      { x: x0, n: n0 },
      `${x1} of ${n1} conversations opened by asking for reasoning (${pct(x1, n1)}) ended without a reply from the user, against ${x0} of ${n0} (${pct(x0, n0)}) of the account's other conversations.`,
      s.elicitExamples.items,
    );
  },
};
