import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTION_BAR } from '../src/evaluate/index.js';
import { evaluateFindings, type Evaluation } from '../src/findings/index.js';
import { analyzedSimulation } from './simulated-analysis.js';

// Seed 5 at small scale: the slow-and-low and logprob-harvest campaigns use task openers and
// wrapper phrasings that the hydra campaign uses too. Linked through those, slow-and-low was
// merged into hydra's cluster and logprob-harvest was lost from it (issue 17).
let dir: string;
let evaluation: Evaluation;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-link-seed-'));
  const { truth, detail } = await analyzedSimulation(5, dir);
  evaluation = evaluateFindings(detail.findings, truth);
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attribution on simulated seed 5', () => {
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
