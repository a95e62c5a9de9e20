import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding, Findings, Truth } from '../src/contracts/index.js';
import { judgeBar } from '../src/evaluate/index.js';
import { DETECTION_BAR, evaluateFindings } from '../src/findings/index.js';
import { analyzedSimulation } from './simulated-analysis.js';

// One simulated provider (small scale): ordinary users, the legitimate hard cases and every
// campaign. Each detector must fire on what it is for and stay quiet on ordinary users.
let dir: string;
let findings: Findings;
let truth: Truth;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-detect-'));
  ({
    truth,
    detail: { findings },
  } = await analyzedSimulation(1, dir));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const group = (campaign: string | null): AccountFinding[] =>
  findings.accounts.filter((a) => (truth.accounts[a.account_id]?.campaign ?? null) === campaign);
const ordinary = (): AccountFinding[] =>
  findings.accounts.filter(
    (a) => truth.accounts[a.account_id]?.role === 'benign' && truth.accounts[a.account_id]?.campaign === null,
  );
const share = (accounts: AccountFinding[], detector: string): number =>
  accounts.filter((a) => a.signals.some((s) => s.detector === detector)).length / accounts.length;

describe('detectors on simulated traffic', () => {
  it('reasoning-elicitation fires on the hydra and slow-and-low accounts, rarely on ordinary users', () => {
    expect(share(group('hydra'), 'reasoning-elicitation')).toBeGreaterThan(0.9);
    expect(share(group('slow-and-low'), 'reasoning-elicitation')).toBeGreaterThan(0.9);
    expect(share(ordinary(), 'reasoning-elicitation')).toBeLessThan(0.03);
  });
  it('output-harvesting fires on soft-label harvesting and not on an eval harness scoring one token', () => {
    expect(share(group('logprob-harvest'), 'output-harvesting')).toBe(1);
    expect(share(group('trap:eval-harness'), 'output-harvesting')).toBe(0);
    expect(share(ordinary(), 'output-harvesting')).toBeLessThan(0.01);
  });
  it('conversation-shape fires on the scripted hydra accounts', () => {
    expect(share(group('hydra'), 'conversation-shape')).toBeGreaterThan(0.9);
    expect(share(ordinary(), 'automation-timing')).toBeLessThan(0.01);
    expect(share(ordinary(), 'conversation-shape')).toBeLessThan(0.01);
  });
  it('templating fires on the batch-labelling job, which stays below act', () => {
    const [batch] = group('trap:batch-labelling');
    expect(batch?.signals.map((s) => s.detector)).toContain('templating');
    expect(batch?.level).not.toBe('act');
    expect(share(ordinary(), 'templating')).toBeLessThan(0.03);
  });
  it('a blended account is flagged on its reasoning harvests, with the share of its traffic they are', () => {
    // 10-30 % extraction blended into ordinary use (drawn per account): the sweep or the pacing of
    // the reasoning batches carries it, and the evidence says how much of the traffic they are.
    for (const a of group('mixed-account')) {
      const lines = a.signals.filter(
        (s) => s.detector === 'elicitation-sweep' || s.detector === 'elicitation-pacing',
      );
      expect(lines.length, a.account_id).toBeGreaterThan(0);
      expect(lines.map((s) => s.evidence).join(' ')).toMatch(
        /Of all its traffic, \d+ of \d+ prompts \(\d+ %\)/,
      );
    }
    expect(share(ordinary(), 'elicitation-sweep')).toBeLessThan(0.01);
    expect(share(group('trap:eval-harness'), 'elicitation-sweep')).toBe(0);
  });
  it('elicitation-pacing fires on the reasoning batches blended into ordinary accounts', () => {
    expect(share(group('mixed-account'), 'elicitation-pacing')).toBe(1);
    expect(share(ordinary(), 'elicitation-pacing')).toBeLessThan(0.005);
    expect(
      share(
        group('mixed-account').filter((a) => a.level === 'review' || a.level === 'act'),
        'elicitation-pacing',
      ),
    ).toBe(1);
  });
  it('elicitation-unanswered sees the reasoning a blended account never answers, and not people', () => {
    expect(share(group('mixed-account'), 'elicitation-unanswered')).toBe(1);
    expect(share(ordinary(), 'elicitation-unanswered')).toBeLessThan(0.005);
    // Tutoring students and campus users answer their reasoning requests as they answer the rest.
    expect(share(group('trap:university-nat'), 'elicitation-unanswered')).toBe(0);
  });
  it('distribution-shift and topic-sweep stay rare on ordinary users', () => {
    expect(share(ordinary(), 'topic-sweep')).toBeLessThan(0.01);
    expect(share(ordinary(), 'distribution-shift')).toBeLessThan(0.02);
  });
  it('every signal says why, with example event ids and an ATLAS technique', () => {
    const flagged = findings.accounts.filter((a) => a.level === 'review' || a.level === 'act');
    for (const a of flagged) {
      for (const s of a.signals) {
        expect(s.evidence.length).toBeGreaterThan(10);
        if (s.detector !== 'linkage' && s.detector !== 'regression-pattern')
          expect(s.examples?.length).toBeGreaterThan(0);
      }
    }
    expect(flagged.length).toBeGreaterThan(100);
  });
});

describe('campaign-level findings on simulated traffic', () => {
  // The issue's bar (DETECTION_BAR) on one small run, so a regression in detection quality fails
  // CI: attackers ≥ 97 % and every campaign ≥ 90 % at review, benign ≤ 0.1 %, no trap at act,
  // every campaign of three or more accounts one cluster (precision and recall ≥ 0.9), hydra
  // ≥ 90 % at act. `npm run eval` runs it on more seeds, the medium scale and the corpora.
  it('meets the bar: recall per campaign, benign false positives, traps, campaigns recovered as clusters', () => {
    const e = evaluateFindings(findings, truth);
    expect(e.failures).toEqual([]);
    expect(e.attackerRecall).toBeGreaterThanOrEqual(DETECTION_BAR.attackerRecall);
    expect(e.benignFpr).toBeLessThanOrEqual(0.001);
    expect(e.trapsAtAct).toEqual([]);
    const hydra = e.campaigns.find((c) => c.campaign === 'hydra')!;
    expect(hydra.cluster?.precision).toBeGreaterThanOrEqual(0.9);
    expect(hydra.cluster?.recall).toBeGreaterThanOrEqual(0.9);
    const hydraCluster = findings.clusters.find((c) => c.cluster_id === hydra.cluster?.cluster_id)!;
    expect(hydraCluster.level).toBe('act');
    expect(hydraCluster.links.length).toBeGreaterThan(2);
    // The low-rate campaign shares only weak attributes: it is found through coordination, its
    // cluster carries both lines (content and joint rarity) and is held at review.
    const lowRate = e.campaigns.find((c) => c.campaign === 'low-rate-coordinated')!;
    expect(lowRate.cluster?.precision).toBeGreaterThanOrEqual(0.9);
    const lowCluster = findings.clusters.find((c) => c.cluster_id === lowRate.cluster?.cluster_id)!;
    expect(lowCluster.level).toBe('review');
    const lines = lowCluster.signals.map((s) => s.detector);
    expect(lines).toContain('complementary-coverage');
    expect(lines).toContain('joint-rare-attributes');
    // Three soft-label harvesters share no infrastructure, only a rare client configuration.
    const logprob = e.campaigns.find((c) => c.campaign === 'logprob-harvest')!;
    expect(logprob.cluster?.precision).toBeGreaterThanOrEqual(0.9);
    expect(logprob.cluster?.recall).toBeGreaterThanOrEqual(0.9);
  });
  it("a course's students running one notebook are reviewed, not acted on: one step-by-step exercise is not a harvest", () => {
    // Seed 1's course: signed up in one lab session, one SDK, the instructor's templates, one of
    // them a step-by-step exercise. Pooled over the class, both lines are overwhelming and the
    // members are bound by rare links; but the reasoning requests are a fifth of what it sends.
    const students = new Set(group('trap:course-cohort').map((a) => a.account_id));
    const cluster = findings.clusters.find(
      (c) => c.account_ids.filter((id) => students.has(id)).length >= 5,
    )!;
    expect(cluster.account_ids.every((id) => students.has(id))).toBe(true);
    expect(cluster.level).toBe('review');
    expect(cluster.signals.map((s) => s.detector)).toContain('reasoning-elicitation');
    const act = cluster.basis!.act_gate;
    expect(act.passed).toBe(false);
    expect(act.detail).toMatch(
      /its extraction line is behind \d+ of \d+ requests, under a third of what the campaign sends/,
    );
    // Its university's mail domain is named for whoever reviews it.
    expect(act.detail).toMatch(
      /\d+ of \d+ members signed up with [a-z.-]+\.ac\.jp, an academic institution's mail domain$/,
    );
    expect(group('trap:course-cohort').filter((a) => a.level === 'act')).toEqual([]);
  });
  it("judges a run by the eval suite's bar: between the old 95 % and the bar's 97 % it fails", () => {
    // Seed 137256 had 96.7 % of attackers at review+: it passed the old per-run target and failed
    // the bar. Demote flagged attackers of the largest campaign to monitor until recall is there.
    const flagged = (a: AccountFinding): boolean => a.level === 'review' || a.level === 'act';
    const attackers = findings.accounts.filter((a) => truth.accounts[a.account_id]?.role === 'attacker');
    const target = Math.floor(attackers.length * 0.96);
    const largest = Object.entries(truth.clusters).sort((a, b) => b[1].length - a[1].length)[0]![0];
    const demote = new Set(
      group(largest)
        .filter(flagged)
        .slice(0, attackers.filter(flagged).length - target)
        .map((a) => a.account_id),
    );
    expect(demote.size).toBeGreaterThan(0);
    const demoted: Findings = {
      ...findings,
      accounts: findings.accounts.map((a) =>
        demote.has(a.account_id) ? { ...a, level: 'monitor' as const } : a,
      ),
    };
    const e = evaluateFindings(demoted, truth);
    expect(e.attackerRecall).toBeGreaterThan(0.95);
    expect(e.attackerRecall).toBeLessThan(DETECTION_BAR.attackerRecall);
    expect(e.passed).toBe(false);
    expect(e.failures.some((f) => f.startsWith('attackers at review+'))).toBe(true);
    // The run's verdict and the suite's are one: the same misses, item by item.
    for (const run of [e, evaluateFindings(findings, truth)]) {
      const verdicts = judgeBar([{ name: 'r', evaluation: run }]);
      expect(run.failures).toEqual(verdicts.flatMap((v) => v.misses.r ?? []));
      expect(run.passed).toBe(verdicts.every((v) => v.passed));
    }
  });
  it('lists every account of the input, including those with no signal', () => {
    expect(findings.accounts.length).toBe(Object.keys(truth.accounts).length);
    expect(findings.format).toBe('findings.v1');
  });
});
