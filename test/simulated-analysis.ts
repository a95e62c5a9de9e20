import { readFileSync } from 'node:fs';
import { Truth, type ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import { exportBundle, keyRingFrom, type policyFrom } from '../src/intel/index.js';
import { analyzeFiles } from '../src/pipeline/index.js';
import { simulate, simulationStream } from '../src/sim/index.js';

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

/**
 * The small simulation of `seed` in memory, through the detection engine: its findings, and the
 * events and account records kept for `exportBundle` (a stream reads once).
 */
export function analysedStream(seed: number) {
  const sim = simulationStream({ scale: 'small', seed });
  const engine = new DetectionEngine();
  const events: ApiEvent[] = [];
  for (const a of sim.accounts) engine.addAccount(a.record);
  for (const e of sim.events()) {
    engine.addEvent(e);
    events.push(e);
  }
  return {
    sim,
    engine,
    events,
    findings: engine.analyze().findings,
    accounts: sim.accounts.map((a) => a.record),
  };
}

/** The community key ring the sharing tests export and match under. */
export const sharingTestRing = keyRingFrom({
  current: 'isac-1',
  keys: [{ id: 'isac-1', secret: '3c'.repeat(32) }],
});

/** `intel export` of an analysed simulation as org-a publishes it, under `policy`. */
export const exportAnalysed = (
  analysed: ReturnType<typeof analysedStream>,
  policy: ReturnType<typeof policyFrom>,
) =>
  exportBundle({
    findings: analysed.findings,
    events: analysed.events,
    accounts: analysed.accounts,
    publisher: { name: 'org-a' },
    keyRing: sharingTestRing,
    policy,
  });
