import { pct } from '../detector.js';
import type { EntityStats } from '../../features/index.js';

/**
 * How much of an account's traffic asks for reasoning, in words: an account that blends
 * extraction into ordinary use is judged on that share, so its evidence states it.
 */
export function elicitationShare(s: EntityStats): string {
  const elicit = s.elicit + s.systemElicit;
  return `Of all its traffic, ${elicit} of ${s.n} prompts (${pct(elicit, s.n)}) carry reasoning-elicitation`;
}
