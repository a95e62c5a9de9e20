import { createHash } from 'node:crypto';
import { UserError } from '../contracts/index.js';

/** Seeds drawn from this range: small enough to type back in `--seeds`, wide enough never to repeat a hand-picked set. */
const SEED_RANGE = 1_000_000;

/**
 * Simulator seeds derived from a commit id: the same commit always gets the same seeds, another
 * commit other ones, so no fixed set of seeds can be tuned to and a CI failure is reproducible
 * with `--seeds` and the printed list.
 */
export function seedsFromCommit(commit: string, count: number): number[] {
  const id = commit.trim().toLowerCase();
  if (!/^[0-9a-f]{7,64}$/u.test(id))
    throw new UserError(
      'INVALID_ARGUMENT',
      `--commit: not a commit id (7 to 64 hex digits), got "${commit}"`,
    );
  const seeds: number[] = [];
  for (let i = 0; seeds.length < count; i++) {
    const digest = createHash('sha256').update(`distillguard-eval:${id}:${i}`).digest();
    const seed = (digest.readUInt32BE(0) % SEED_RANGE) + 1;
    if (!seeds.includes(seed)) seeds.push(seed);
  }
  return seeds;
}
