import { BACK_TO_BACK_MS } from '../../features/index.js';
import { MIN_ELICITING, MIN_OTHER, selfControlledTest } from './elicitation-share.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/**
 * How an account's reasoning requests are paced, against how its other requests are. A person
 * who asks for reasoning reads the answer before opening the next conversation, as they do with
 * everything else they ask; an app or an eval harness paces all its traffic alike. An operator
 * blending extraction into an ordinary account sends its reasoning harvest in scripted batches:
 * one-shot requests back to back, amid traffic that is not. The account is its own control (a
 * one-sided two-proportion test of back-to-back shares), so neither the amount of ordinary
 * traffic around the harvest nor how many accounts ask for reasoning at all can hide it.
 */
export const elicitationPacing: Detector = {
  id: 'elicitation-pacing',
  title: 'Reasoning requests sent back to back, unlike the account’s other traffic',
  atlas: ATLAS.extractModel,
  family: 'extraction',
  control: 'self',
  measure(s) {
    const n1 = s.oneShotElicit;
    const n0 = s.oneShotOther;
    if (n1 < MIN_ELICITING || n0 < MIN_OTHER) return null;
    const x1 = s.pacedElicit;
    const x0 = s.pacedOther;
    return selfControlledTest(
      s,
      'elicitBackToBack',
      { x: x1, n: n1 },
      { x: x0, n: n0 },
      `${x1} of ${n1} one-shot requests asking for reasoning (${pct(x1, n1)}) came within ${
        BACK_TO_BACK_MS / 60_000
      } min of another one-shot request, against ${x0} of ${n0} (${pct(x0, n0)}) of the account's other one-shot requests.`,
      s.pacedElicitExamples.items,
    );
  },
};
