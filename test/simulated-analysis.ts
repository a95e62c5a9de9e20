import { readFileSync } from 'node:fs';
import { Truth } from '../src/contracts/index.js';
import { analyzeFiles } from '../src/pipeline/index.js';
import { simulate } from '../src/sim/index.js';

/**
 * A small simulation of `seed` written to `out` (plain files, no corpus), its ground truth, and
 * batch analyze of its traffic and accounts (`detail`, `engine`): the set-up of the tests that
 * judge findings against the truth.
 */
export async function analyzedSimulation(seed: number, out: string) {
  const sim = await simulate({ scale: 'small', seed, out, gzip: false, corpus: [] });
  const truth = Truth.parse(JSON.parse(readFileSync(sim.files.truth, 'utf8')));
  const { detail, engine } = await analyzeFiles([sim.files.traffic], { accounts: [sim.files.accounts] });
  return { sim, truth, detail, engine };
}
