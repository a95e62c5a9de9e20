import { pct, type Measurement } from '../detector.js';
import { twoProportionSurvival, type EntityStats } from '../../features/index.js';

/** Reasoning requests, and other requests, an account needs before it can be its own control. */
export const MIN_ELICITING = 10;
export const MIN_OTHER = 30;

/**
 * How much of an account's traffic asks for reasoning, in words: an account that blends
 * extraction into ordinary use is judged on that share, so its evidence states it.
 */
export function elicitationShare(s: EntityStats): string {
  // Of its prompts: a tool loop's resends are the one prompt they carry (EntityStats.prompts).
  const elicit = s.elicit + s.systemElicit;
  return `Of all its traffic, ${elicit} of ${s.prompts} prompts (${pct(elicit, s.prompts)}) carry reasoning-elicitation`;
}

/** One side of a self-controlled test: `x` of `n` requests show the trait. */
export interface Share {
  x: number;
  n: number;
}

/**
 * The account as its own control: a one-sided two-proportion test of its reasoning requests
 * (`elicit`) against its other requests (`other`), so neither the ordinary traffic around a
 * harvest nor how many accounts ask for reasoning at all can hide it. The evidence ends on the
 * account's elicitation share.
 */
export function selfControlledTest(
  s: EntityStats,
  key: string,
  elicit: Share,
  other: Share,
  evidence: string,
  examples: readonly string[],
): Measurement {
  return {
    stats: [
      { kind: 'test', key, p: twoProportionSurvival(elicit.x, elicit.n, other.x, other.n), n: elicit.n },
    ],
    evidence: `${evidence} ${elicitationShare(s)}`,
    examples: examples.slice(0, 3),
  };
}
