import { beforeAll, describe, expect, it } from 'vitest';
import type { Findings, Truth } from '../src/contracts/index.js';
import { evaluateFindings } from '../src/findings/index.js';
import { analysedStream } from './simulated-analysis.js';

// Two real small runs. Seed 11 holds a four-account team (three under one payment fingerprint,
// an app's system prompt, top_logprobs 5 on most requests) that pooled output-harvesting took
// to review as a cluster; seed 612952 holds a three-account logprob harvest, one of whose
// accounts sent 7 requests.
const runs = new Map<number, { findings: Findings; truth: Truth }>();
beforeAll(() => {
  for (const seed of [11, 612952]) {
    const run = analysedStream(seed);
    runs.set(seed, { findings: run.findings, truth: run.sim.truth });
  }
}, 900_000);

const run = (seed: number) => runs.get(seed)!;
const campaignOf = (t: Truth, id: string) => t.accounts[id]?.campaign ?? null;

describe('output harvesting judged over customers', () => {
  it('an ordinary team using logprobs in its app is one customer, not a cluster at review', () => {
    const { findings, truth } = run(11);
    expect(evaluateFindings(findings, truth).benignClusters).toEqual([]);
    // The team is still a cluster; its harvesting line says how it was counted.
    const team = findings.clusters.find(
      (c) => c.account_ids.length === 4 && c.account_ids.every((id) => truth.accounts[id]?.role === 'benign'),
    );
    expect(team).toBeDefined();
    expect(team!.level).not.toBe('review');
    const line = team!.signals.find((s) => s.detector === 'output-harvesting');
    if (line) expect(line.evidence).toContain('1 of 2 show it on their own');
  });

  it('a light account of a small harvest is reviewed with its cluster on the line it shows itself', () => {
    const { findings, truth } = run(612952);
    const harvest = findings.accounts.filter((a) => campaignOf(truth, a.account_id) === 'logprob-harvest');
    expect(harvest.length).toBe(3);
    for (const a of harvest) expect(['review', 'act']).toContain(a.level);
    const light = harvest.find((a) => a.events < 20)!;
    expect(light.level).toBe('review');
    expect(light.basis?.cluster?.inherited).toBe(true);
    expect(light.basis?.review_gate.detail).toMatch(/this account shows output-harvesting on its own/);
    // The cluster's pooled line rests on its three customers, not on its 800 requests.
    const cluster = findings.clusters.find((c) => c.cluster_id === light.cluster_id)!;
    const line = cluster.signals.find((s) => s.detector === 'output-harvesting')!;
    expect(line.evidence).toContain('3 of 3 show it on their own');
    expect(line.p_value).toBeGreaterThan(1e-8);
  });

  it('ordinary accounts stay below review in both runs, and no hard case reaches act', () => {
    for (const seed of [11, 612952]) {
      const e = evaluateFindings(run(seed).findings, run(seed).truth);
      expect(e.benignFlagged).toBe(0);
      expect(e.trapsAtAct).toEqual([]);
    }
  });
});
