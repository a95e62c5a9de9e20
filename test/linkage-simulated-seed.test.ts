import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTION_BAR } from '../src/evaluate/index.js';
import { evaluateFindings, type Evaluation } from '../src/findings/index.js';
import { analyzedSimulation } from './simulated-analysis.js';

// Small seeds where other campaigns use the task openers and wrapper phrasings hydra uses:
// - 5: slow-and-low was merged into hydra's cluster and logprob-harvest lost from it (issue 17);
// - 86286 (found on fresh seeds): slow-and-low (13 accounts) and three low-rate accounts were
//   linked into hydra's community on templates, wrappers and a free-mail domain alone, with
//   nothing of hydra's set-up (networks, clients, request configurations) in common.
describe.each([5, 86286])('attribution on simulated seed %i', (seed) => {
  let dir: string;
  let evaluation: Evaluation;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dg-link-seed-'));
    const { truth, detail } = await analyzedSimulation(seed, dir);
    evaluation = evaluateFindings(detail.findings, truth);
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers every multi-account campaign as its own cluster', () => {
    // The provisional low-rate campaign is judged by the evaluation bar, not held here yet.
    const established = evaluation.campaigns.filter(
      (x) => x.accounts >= 3 && !DETECTION_BAR.provisionalCampaigns.includes(x.campaign),
    );
    expect(established.map((c) => c.campaign)).toEqual(expect.arrayContaining(['hydra', 'slow-and-low']));
    for (const c of established) {
      expect(c.cluster, c.campaign).not.toBeNull();
      expect(c.cluster!.precision, c.campaign).toBeGreaterThanOrEqual(0.9);
      expect(c.cluster!.recall, c.campaign).toBeGreaterThanOrEqual(0.9);
    }
  });
  it('keeps ordinary accounts below review and legitimate hard cases below act', () => {
    expect(evaluation.benignFpr).toBeLessThanOrEqual(0.001);
    expect(evaluation.trapsAtAct).toEqual([]);
  });
});
