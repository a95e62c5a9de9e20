import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Findings,
  isTrap,
  type Truth,
  type AccountFinding,
  type ClusterFinding,
  type Level,
  type LevelBasis,
} from '../src/contracts/index.js';
import { analyzedSimulation } from './simulated-analysis.js';

// Seed 5 is where the hydra cluster sat at review under the three-lines rule (its pooled lines
// are reasoning elicitation and conversation shape, both overwhelming); seed 2 is where the
// university NAT reaches review. Every finding must say why it is where it is, and agree.
const SEEDS = [2, 5];
const runs: { seed: number; findings: Findings; truth: Truth }[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-basis-'));
  for (const seed of SEEDS) {
    const { truth, detail } = await analyzedSimulation(seed, join(dir, String(seed)));
    // Through JSON and the contract, as a reader of findings.json gets them.
    runs.push({ seed, findings: Findings.parse(JSON.parse(JSON.stringify(detail.findings))), truth });
  }
}, 1_200_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The level the basis's own gates give; near a threshold the rounding to 2 decimals can tip it. */
function levelFromBasis(b: LevelBasis): Level | 'borderline' {
  const t = b.thresholds;
  if ([t.monitor, t.review, t.act].some((x) => Math.abs(b.strength - x) < 0.01)) return 'borderline';
  if (b.strength >= t.act && b.act_gate.passed && b.review_gate.passed) return 'act';
  if (b.strength >= t.review && b.review_gate.passed) return 'review';
  if (b.strength >= t.monitor) return 'monitor';
  return 'none';
}

function expectExplained(f: AccountFinding | ClusterFinding): void {
  const b = f.basis!;
  expect(b, 'every finding carries its basis').toBeDefined();
  const derived = levelFromBasis(b);
  if (derived !== 'borderline') expect(derived).toBe(f.level);
  expect(b.explanation.startsWith(`${f.level}: `)).toBe(true);
  expect(b.stopped_by === null).toBe(f.level === 'act');
  if (f.level === 'review' || f.level === 'act') expect(b.review_gate.passed).toBe(true);
  if (f.level === 'act') expect(b.act_gate.passed).toBe(true);
  // The explanation names what stopped it: the gate's own words when a gate did.
  if (b.stopped_by === 'act-rule') expect(b.explanation).toContain(b.act_gate.detail);
  if (b.stopped_by === 'corroboration') expect(b.explanation).toContain(b.review_gate.detail);
  expect(f.strength).toBe(b.strength);
}

describe('level basis on simulated runs', () => {
  it('explains every account and cluster, in agreement with its level', () => {
    for (const { findings } of runs) {
      for (const a of findings.accounts) expectExplained(a);
      for (const c of findings.clusters) expectExplained(c);
    }
  });

  it('ranks accounts and clusters by strength, which does not saturate', () => {
    for (const { findings } of runs) {
      const withTraffic = findings.accounts.filter((a) => a.events > 0).map((a) => a.strength!);
      expect(withTraffic).toEqual([...withTraffic].sort((x, y) => y - x));
      const clusters = findings.clusters.map((c) => c.strength!);
      expect(clusters).toEqual([...clusters].sort((x, y) => y - x));
      // Past the old caps (30 per detector, 60 combined), so the flagged still rank.
      expect(Math.max(...clusters)).toBeGreaterThan(60);
    }
  });

  it('says which cluster an account inherited its level from', () => {
    for (const { findings } of runs) {
      const clusters = new Map(findings.clusters.map((c) => [c.cluster_id, c]));
      for (const a of findings.accounts) {
        const inherited = a.basis!.cluster;
        if (!inherited?.inherited) continue;
        const c = clusters.get(inherited.cluster_id)!;
        expect(a.cluster_id).toBe(c.cluster_id);
        expect(inherited.level).toBe(c.level);
        expect(['review', 'act']).toContain(c.level);
        expect(a.basis!.explanation).toContain(`member of cluster ${c.cluster_id}`);
      }
    }
  });

  it('puts a hydra campaign at act: its cluster and at least 90 % of its accounts', () => {
    for (const { seed, findings, truth } of runs) {
      const hydra = new Set(truth.clusters['hydra']);
      const atAct = findings.accounts.filter((a) => hydra.has(a.account_id) && a.level === 'act').length;
      expect(atAct / hydra.size, `seed ${seed}`).toBeGreaterThanOrEqual(0.9);
      const cluster = findings.clusters.find(
        (c) => c.account_ids.filter((id) => hydra.has(id)).length > hydra.size / 2,
      )!;
      expect(cluster.level, `seed ${seed}`).toBe('act');
      expect(cluster.basis!.act_gate.detail).toMatch(/broad lines/);
    }
  });

  it('never puts a legitimate hard case at act', () => {
    for (const { seed, findings, truth } of runs) {
      const trapsAtAct = findings.accounts.filter((a) => {
        const t = truth.accounts[a.account_id];
        return t !== undefined && isTrap(t) && a.level === 'act';
      });
      expect(trapsAtAct.map((a) => `${seed}:${a.account_id}`)).toEqual([]);
    }
  });
});
