import { TOPIC_NAMES } from '../../text/index.js';
import { MIN_ELICITING, MIN_OTHER, selfControlledTest } from './elicitation-share.js';
import { ATLAS, pct, type Detector } from '../detector.js';

const FOCUS_DOMAINS = 2;
const MIN_SWEEP_DOMAINS = 6;

/**
 * What an account asks to have reasoned out, against what else it asks. A person, a tutor app
 * or a team asks for reasoning about the same subjects as the rest of its traffic; an operator
 * blending extraction into an ordinary account asks for reasoning traces across the whole
 * capability map, far from the account's everyday focus. The account is its own control: the
 * share of its eliciting prompts outside the two main domains of its other prompts is tested
 * against that share among the other prompts (one-sided two-proportion test), so the signal is
 * neither diluted by the ordinary traffic around it nor dependent on how many benign accounts
 * ask for reasoning at all.
 */
export const elicitationSweep: Detector = {
  id: 'elicitation-sweep',
  title: 'Reasoning requested outside the account’s own focus',
  atlas: ATLAS.replicate,
  family: 'extraction',
  control: 'self',
  measure(s) {
    const n1 = s.elicitTopicEvents;
    const n0 = s.topicEvents - n1;
    if (n1 < MIN_ELICITING || n0 < MIN_OTHER) return null;
    // A sweep spans many domains; reasoning asked about a couple of subjects of the account's
    // own (a benchmark's, a tutor's) differs from the rest of its traffic but sweeps nothing.
    const spread = TOPIC_NAMES.filter((_, i) => s.elicitTopicWeight[i]! >= 1).length;
    if (spread < MIN_SWEEP_DOMAINS) return null;
    const focus = TOPIC_NAMES.map((name, i) => ({ name, i, w: s.topicWeight[i]! - s.elicitTopicWeight[i]! }))
      .sort((a, b) => b.w - a.w)
      .slice(0, FOCUS_DOMAINS);
    const inFocus = (weights: (i: number) => number): number => focus.reduce((a, d) => a + weights(d.i), 0);
    const off1 = n1 - inFocus((i) => s.elicitTopicWeight[i]!);
    const off0 = n0 - inFocus((i) => s.topicWeight[i]! - s.elicitTopicWeight[i]!);
    return selfControlledTest(
      s,
      'elicitOffFocus',
      { x: off1, n: n1 },
      { x: off0, n: n0 },
      `${pct(Math.round(off1), n1)} of ${n1} focused prompts asking for reasoning lie outside the account's main domains (${focus
        .map((d) => d.name)
        .join(
          ', ',
        )}), against ${pct(Math.round(off0), n0)} of its ${n0} other prompts; the reasoning requests span ${spread} domains.`,
      s.elicitExamples.items,
    );
  },
};
