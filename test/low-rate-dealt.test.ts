import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Findings, Truth } from '../src/contracts/index.js';
import { DetectionEngine, evaluateFindings } from '../src/findings/index.js';
import { simulationStream } from '../src/sim/index.js';
import { corpora, corporaMissing } from './real-corpora.js';

// A low-rate campaign whose operator deals one task list out to its accounts as it comes, instead
// of giving each its own slice: every account sends a sample of the same list (Alpaca's
// instructions), at a person's pace, sharing only weak attributes. No account is narrow and no two
// lie apart in topic, so the partition test has nothing to see (the likeliest reading of the
// independent traffic's low-rate campaign, found there at 0-30 %). On the previous detector 2.8 % of
// it was at review in this run, and 0-2 % of every dealt campaign on 54 small seeds.
const SEED = 21;
const CAMPAIGN = 'low-rate-coordinated';
const skip = corporaMissing('the dealt low-rate campaign on the Alpaca corpus');

let findings: Findings;
let truth: Truth;

beforeAll(() => {
  if (skip) return;
  const sim = simulationStream({
    scale: 'small',
    seed: SEED,
    corpus: [{ path: resolve(corpora, 'distill-alpaca-5000.jsonl'), role: 'attacker' }],
  });
  truth = sim.truth;
  const engine = new DetectionEngine();
  for (const a of sim.accounts) engine.addAccount(a.record);
  for (const e of sim.events()) engine.addEvent(e);
  findings = engine.analyze().findings;
}, 300_000);

describe.skipIf(skip)('a low-rate campaign dealing one task list out to its accounts', () => {
  it('is one cluster at review, found because its accounts sample one task source', () => {
    expect(truth.parameters?.[CAMPAIGN]?.dealtTasks).toBe(true);
    expect(truth.parameters?.[CAMPAIGN]?.contentSource).toBe('corpus');
    const e = evaluateFindings(findings, truth);
    const lowRate = e.campaigns.find((c) => c.campaign === CAMPAIGN)!;
    expect(lowRate.accounts).toBeGreaterThanOrEqual(20);
    expect(lowRate.recall).toBeGreaterThanOrEqual(0.9);
    expect(lowRate.cluster?.precision).toBeGreaterThanOrEqual(0.9);
    expect(lowRate.cluster?.recall).toBeGreaterThanOrEqual(0.9);
    const cluster = findings.clusters.find((c) => c.cluster_id === lowRate.cluster?.cluster_id)!;
    // Coordination alone never acts: a person confirms the group first.
    expect(cluster.level).toBe('review');
    const lines = cluster.signals.map((s) => s.detector);
    expect(lines).toContain('common-task-source');
    expect(lines).toContain('joint-rare-attributes');
    expect(lines).not.toContain('complementary-coverage');
    const source = cluster.signals.find((s) => s.detector === 'common-task-source')!;
    expect(source.p_value).toBeLessThanOrEqual(1e-3);
    expect(source.evidence).toMatch(
      /^\d+ accounts sending task-style prompts .* each sends a sample of the same task source: two members' prompt distributions lie -?\d\.\d{3} apart .* against \d\.\d{3} in random groups of \d+ accounts/,
    );
    expect(cluster.basis?.review_gate.detail).toMatch(/common-task-source/);
  });

  it('leaves ordinary accounts and the legitimate hard cases where they were', () => {
    const e = evaluateFindings(findings, truth);
    expect(e.benignFpr).toBeLessThanOrEqual(0.001);
    expect(e.trapsAtAct).toEqual([]);
    // No cluster of ordinary accounts or hard cases is reported on this line.
    for (const c of findings.clusters.filter((x) =>
      x.signals.some((s) => s.detector === 'common-task-source'),
    ))
      expect(
        c.account_ids.every((id) => truth.accounts[id]?.campaign === CAMPAIGN),
        c.cluster_id,
      ).toBe(true);
  });
});
