import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Findings, Truth } from '../src/contracts/index.js';
import {
  judgeBar,
  leaveOneOut,
  runEvaluationSuite,
  seedsFromCommit,
  THRESHOLD_GRID,
  type CorpusTrial,
  type SuiteResult,
} from '../src/evaluate/index.js';
import { DetectionEngine, evaluateFindings } from '../src/findings/index.js';
import { analyzedSimulation } from './simulated-analysis.js';

// Two real small runs (seeds 1 and 2), the first also re-analysed with one detector and one
// link type off: what `npm run eval` does, on fewer seeds.
let suite: SuiteResult;
beforeAll(async () => {
  suite = await runEvaluationSuite({
    scales: ['small'],
    seeds: { small: [1, 2] },
    ablationRuns: 1,
    ablationItems: [
      { off: 'reasoning-elicitation', kind: 'detector' },
      { off: 'payment_fingerprint', kind: 'link' },
    ],
  });
}, 3_600_000);

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

describe('eval-suite over real runs', () => {
  it('summarises each campaign as the minimum and median over the seeds', () => {
    expect(suite.runs.map((r) => r.name)).toEqual(['small/seed 1', 'small/seed 2']);
    const [group] = suite.groups;
    expect(group!.group).toBe('small');
    expect(group!.campaigns.map((c) => c.campaign)).toEqual(
      [...new Set(suite.runs.flatMap((r) => r.evaluation.campaigns.map((c) => c.campaign)))].sort(),
    );
    for (const c of group!.campaigns) {
      const per = suite.runs.map((r) => r.evaluation.campaigns.find((x) => x.campaign === c.campaign)!);
      const recall = per.map((x) => x.recall);
      const act = per.map((x) => x.atAct / x.accounts);
      const precision = per.map((x) => x.cluster?.precision ?? 0);
      expect(c.runs).toBe(2);
      expect(c.recall.min).toBe(Math.min(...recall));
      expect(c.recall.median).toBeCloseTo(median(recall), 12);
      expect(c.actShare.min).toBe(Math.min(...act));
      expect(c.actShare.median).toBeCloseTo(median(act), 12);
      expect(c.clusterPrecision.min).toBe(Math.min(...precision));
    }
    const fpr = suite.runs.map((r) => r.evaluation.benignFpr);
    expect(group!.benignFpr.max).toBe(Math.max(...fpr));
    // Hard cases are counted apart from ordinary accounts, every kind with its worst level.
    const e = suite.runs[0]!.evaluation;
    expect(e.trapAccounts).toBeGreaterThan(0);
    expect(Object.keys(e.trapKinds).sort()).toEqual(Object.keys(e.traps).sort());
    expect(group!.traps.map((t) => t.kind)).toEqual(Object.keys(e.trapKinds).sort());
    expect(group!.noTrapAtAct).toBe(suite.runs.every((r) => r.evaluation.trapsAtAct.length === 0));
  });

  it('judges every run with the one bar and names the runs that miss an item', () => {
    expect(suite.bar.map((b) => b.id)).toEqual([
      'attackers-review',
      'established-attackers-review',
      'campaign-recall',
      'new-campaign-recall',
      'campaign-cluster',
      'benign-fpr',
      'no-trap-act',
      'hydra-act',
    ]);
    const hydra = suite.bar.find((b) => b.id === 'hydra-act')!;
    const below = suite.runs.filter((r) => {
      const c = r.evaluation.campaigns.find((x) => x.campaign === 'hydra')!;
      return c.atAct / c.accounts < 0.9;
    });
    expect(Object.keys(hydra.misses).sort()).toEqual(below.map((r) => r.name).sort());
    expect(hydra.passed).toBe(below.length === 0);
  });

  it('ablation re-analyses the run with each item off and records every campaign', () => {
    expect(suite.ablation!.runs).toEqual(['small/seed 1']);
    const [run] = suite.ablation!.detail;
    expect(run!.without.map((w) => w.off)).toEqual(['reasoning-elicitation', 'payment_fingerprint']);
    for (const w of run!.without)
      expect(Object.keys(w.campaigns).sort()).toEqual(Object.keys(run!.base).sort());
    const hydra = suite.ablation!.rows.find((r) => r.campaign === 'hydra')!;
    expect(Object.keys(hydra.carriers.detectors)).toContain('reasoning-elicitation');
  });
});

describe('switching a detector or a link type off', () => {
  let dir: string;
  let truth: Truth;
  let base: Findings;
  let without: Findings;
  let again: Findings;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dg-ablate-'));
    const run = await analyzedSimulation(3, dir);
    truth = run.truth;
    const { detail, engine } = run;
    base = detail.findings;
    const state = engine.exportPartition();
    const off = new DetectionEngine({ disable: ['reasoning-elicitation', 'payment_fingerprint'] });
    off.importState(state.state, state.kernels);
    without = off.analyze().findings;
    const same = new DetectionEngine({});
    same.importState(state.state, state.kernels);
    again = same.analyze().findings;
  }, 2_400_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const detectorsIn = (f: Findings): Set<string> =>
    new Set([...f.accounts, ...f.clusters].flatMap((x) => x.signals.map((s) => s.detector)));
  const linksIn = (f: Findings): Set<string> =>
    new Set(f.clusters.flatMap((c) => c.links.map((l) => l.kind)));

  it('its signal disappears from the findings, and only its', () => {
    expect(detectorsIn(base)).toContain('reasoning-elicitation');
    expect(linksIn(base)).toContain('payment_fingerprint');
    expect(detectorsIn(without)).not.toContain('reasoning-elicitation');
    expect(linksIn(without)).not.toContain('payment_fingerprint');
    expect(detectorsIn(without)).toContain('conversation-shape');
    expect(evaluateFindings(without, truth).attackers).toBe(evaluateFindings(base, truth).attackers);
  });

  it('re-analysing the same state with nothing off gives the same findings (what the suite relies on)', () => {
    const levels = (f: Findings): Record<string, string> =>
      Object.fromEntries(f.accounts.map((a) => [a.account_id, a.level]));
    expect(levels(again)).toEqual(levels(base));
    expect(again.clusters.map((c) => c.account_ids)).toEqual(base.clusters.map((c) => c.account_ids));
  });

  it('refuses a name that is neither a detector nor a link type', () => {
    expect(() => new DetectionEngine({ disable: ['reasoning-elicitaton'] })).toThrow(
      /neither a detector nor a link type/,
    );
  });
});

describe('leave one corpus out', () => {
  // Trials built from the real runs' evaluations: run 1 stands for corpora A and B, run 2 for C.
  const trials = (): CorpusTrial[] =>
    ['a.jsonl', 'b.jsonl', 'c.jsonl'].flatMap((corpus, i) =>
      THRESHOLD_GRID.map((choice) => ({
        corpus,
        run: `small/corpus ${corpus}`,
        choice,
        evaluation: structuredClone(suite.runs[i === 2 ? 1 : 0]!.evaluation),
      })),
    );

  it('chooses on the two other corpora and never on the held-out one', () => {
    const rows = leaveOneOut(trials());
    expect(rows.map((r) => r.heldOut)).toEqual(['a.jsonl', 'b.jsonl', 'c.jsonl']);
    for (const r of rows) {
      expect(r.selectedOn).toHaveLength(2);
      expect(r.selectedOn).not.toContain(r.heldOut);
      expect(r.selectionRuns).not.toContain(`small/corpus ${r.heldOut}`);
    }
  });

  it("the held-out corpus's results do not move the choice; the others' do", () => {
    const plain = leaveOneOut(trials());
    // Make the held-out corpus C favour the loosest setting by a mile: C's row must not follow.
    const skewed = trials().map((t) => {
      if (t.corpus === 'c.jsonl' && t.choice.targetFpr === 0.003 && t.choice.actStrength === 8) {
        t.evaluation.attackerRecall = 1;
        for (const c of t.evaluation.campaigns) c.recall = 1;
      } else if (t.corpus === 'c.jsonl') t.evaluation.attackerRecall = 0;
      return t;
    });
    const rows = leaveOneOut(skewed);
    expect(rows[2]!.choice).toEqual(plain[2]!.choice);
    // C is a selection corpus for A and B: there the same change is seen.
    expect(rows[0]!.choice).toEqual({ targetFpr: 0.003, actStrength: 8 });
    expect(rows[2]!.ownChoice).toEqual({ targetFpr: 0.003, actStrength: 8 });
  });

  it('refuses a candidate that puts ordinary accounts over the bar on a selection corpus', () => {
    const t = trials().map((x) => {
      if (x.corpus !== 'c.jsonl' && x.choice.targetFpr === 0.003) {
        x.evaluation.benignFpr = 0.01;
        x.evaluation.attackerRecall = 1;
      }
      return x;
    });
    for (const r of leaveOneOut(t).slice(2)) expect(r.choice.targetFpr).not.toBe(0.003);
  });
});

describe('seeds derived from the commit', () => {
  const a = '32189a3f0c1e5d2b7a9e4c6f8d0b1a2c3e4f5a6b';
  const b = '32189a3f0c1e5d2b7a9e4c6f8d0b1a2c3e4f5a6c';
  it('are the same for one commit and differ between commits', () => {
    expect(seedsFromCommit(a, 4)).toEqual(seedsFromCommit(a, 4));
    expect(seedsFromCommit(a.toUpperCase(), 4)).toEqual(seedsFromCommit(a, 4));
    expect(seedsFromCommit(a, 4)).not.toEqual(seedsFromCommit(b, 4));
    expect(seedsFromCommit(a, 3)).toEqual(seedsFromCommit(a, 4).slice(0, 3));
    const s = seedsFromCommit(a, 5);
    expect(new Set(s).size).toBe(5);
    for (const x of s) expect(Number.isInteger(x) && x >= 1 && x <= 1_000_000).toBe(true);
  });
  it('refuse something that is not a commit id', () => {
    expect(() => seedsFromCommit('HEAD', 4)).toThrow(/not a commit id/);
  });
});

describe('the bar', () => {
  it('judges hard cases at act apart from ordinary false positives', () => {
    const e = structuredClone(suite.runs[0]!.evaluation);
    const kind = Object.keys(e.trapKinds)[0]!;
    e.trapKinds[kind]!.atAct = 1;
    const [v] = judgeBar([{ name: 'r', evaluation: e }]).filter((x) => x.id === 'no-trap-act');
    expect(v!.passed).toBe(false);
    expect(v!.misses.r![0]).toContain(kind);
  });
});
