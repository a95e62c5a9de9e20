import { beforeAll, describe, expect, it } from 'vitest';
import type { Findings, Truth } from '../src/contracts/index.js';
import { summariseGroup } from '../src/evaluate/index.js';
import { evaluateFindings, formatEvaluation } from '../src/findings/index.js';
import { analysedStream } from './simulated-analysis.js';

// One real small run (seed 1): its findings and truth, then the same findings with one cluster's
// level or one truth label changed, as a cluster-level false positive would leave them.
let findings: Findings;
let truth: Truth;
beforeAll(() => {
  const run = analysedStream(1);
  findings = run.findings;
  truth = run.sim.truth;
}, 600_000);

const isAttacker = (t: Truth, id: string): boolean => t.accounts[id]?.role === 'attacker';

describe('clusters at review or above that are mostly not attackers', () => {
  it('are counted per run, with their level and what their accounts are', () => {
    const e = evaluateFindings(findings, truth);
    for (const c of e.benignClusters) {
      expect(['review', 'act']).toContain(c.level);
      expect(2 * c.attackers).toBeLessThan(c.accounts);
    }
    // An ordinary cluster raised to review is one more; the campaigns' clusters at review are not.
    const ordinary = findings.clusters.find(
      (c) => c.level !== 'review' && c.level !== 'act' && c.account_ids.every((id) => !isAttacker(truth, id)),
    )!;
    expect(ordinary).toBeDefined();
    const raised = structuredClone(findings);
    raised.clusters.find((c) => c.cluster_id === ordinary.cluster_id)!.level = 'review';
    const after = evaluateFindings(raised, truth);
    expect(after.benignClusters.length).toBe(e.benignClusters.length + 1);
    expect(after.benignClusters.find((c) => c.cluster_id === ordinary.cluster_id)).toMatchObject({
      level: 'review',
      accounts: ordinary.account_ids.length,
      attackers: 0,
    });
    expect(formatEvaluation(after)).toContain(ordinary.cluster_id);
    // Accounts' levels are untouched: the account counts do not see it.
    expect(after.benignFlagged).toBe(e.benignFlagged);
  });

  it('count a campaign cluster once most of its accounts are not attackers', () => {
    const campaign = findings.clusters.find(
      (c) =>
        c.level === 'review' &&
        c.account_ids.length >= 4 &&
        c.account_ids.every((id) => isAttacker(truth, id)),
    )!;
    expect(campaign).toBeDefined();
    const e = evaluateFindings(findings, truth);
    expect(e.benignClusters.map((c) => c.cluster_id)).not.toContain(campaign.cluster_id);
    const relabel = (share: number): Truth => {
      const t = structuredClone(truth);
      const n = Math.ceil(share * campaign.account_ids.length);
      for (const id of campaign.account_ids.slice(0, n))
        t.accounts[id] = { role: 'benign', actor: null, campaign: null };
      return t;
    };
    // Half ordinary is not "mostly"; more than half is.
    const half = campaign.account_ids.length % 2 === 0 ? 0.5 : 0.49;
    expect(evaluateFindings(findings, relabel(half)).benignClusters.map((c) => c.cluster_id)).not.toContain(
      campaign.cluster_id,
    );
    const mostly = evaluateFindings(findings, relabel(0.75));
    expect(mostly.benignClusters.map((c) => c.cluster_id)).toContain(campaign.cluster_id);
    const summary = summariseGroup('small', [
      { name: 'a', evaluation: e },
      { name: 'b', evaluation: mostly },
    ]);
    expect(summary.benignClusters.total).toBe(e.benignClusters.length + mostly.benignClusters.length);
    expect(summary.benignClusters.max).toBe(mostly.benignClusters.length);
  });
});
