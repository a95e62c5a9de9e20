import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding, Findings, Truth } from '../src/contracts/index.js';
import { evaluateFindings } from '../src/findings/index.js';
import { analyzedSimulation } from './simulated-analysis.js';
import {
  corporaMissing,
  distillationTasks,
  peopleEngine,
  HARVEST_WRAPPER,
  PEOPLE_ASKING_REASONING,
} from './real-corpora.js';

// Small seed 102: the second mixed-account customer harvests 18 requests in two weeks, 14 of them
// asking for reasoning, among 290 of its own. Its reasoning requests are sent back to back
// (p ≈ 4e-10) and never answered (p ≈ 4e-5), unlike the rest of its traffic, but rest on 13
// requests, under the 20 an extraction line needs against the population: it stayed at monitor
// (held-out seed 684435's and the hh-harmless corpus run's did too).
let dir: string;
let sim: { truth: Truth; findings: Findings };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-blend-seed-'));
  const { truth, detail } = await analyzedSimulation(102, dir);
  sim = { truth, findings: detail.findings };
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blended accounts on simulated seed 102', () => {
  it('finds both mixed accounts, the light one through its blended slice and its share of the traffic', () => {
    const mixed = Object.entries(sim.truth.accounts)
      .filter(([, t]) => t.campaign === 'mixed-account')
      .map(([id]) => sim.findings.accounts.find((a) => a.account_id === id)!);
    expect(mixed).toHaveLength(2);
    for (const a of mixed) expect(a.level).toMatch(/review|act/);
    const light = mixed.find((a) => a.level === 'review')!;
    expect(light.basis!.review_gate.detail).toMatch(
      /^a blended slice: elicitation-pacing \(extraction\) p≈1e-\d+ and elicitation-unanswered \(behaviour\) p≈1e-\d+ single out the same 13 requests against the account's own other traffic, 6 % of its 203 prompts$/,
    );
  });
  it('keeps ordinary accounts below review and legitimate hard cases below act', () => {
    const e = evaluateFindings(sim.findings, sim.truth);
    expect(e.benignFlagged).toBe(0);
    expect(e.trapsAtAct).toEqual([]);
  });
});

// The same on real text: people's conversations (hh-rlhf) and a real distillation query set
// (Alpaca). A person who blends 14 wrapped tasks into 50 conversations of their own reaches
// review and no further; a person who asks for reasoning in their own words and reads it does not.
const missing = corporaMissing('blended-slice tests');

const USERS = 200;

let findings: Map<string, AccountFinding>;

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const { events, event, r, conversation, dayTime, account, people, ...run } = peopleEngine(17);
  // Ordinary people who use the API daily: 30-70 conversations in two weeks.
  people(USERS, 30, 40);
  for (const id of ['blender', 'student']) account(id, 600);
  // Both are such people, with 50 conversations. The student opens 14 of them asking for
  // reasoning in their own words, and talks on as after any other opening.
  for (let k = 0; k < 50; k++) {
    conversation('student', dayTime(k % 14), k % 7 < 2 ? PEOPLE_ASKING_REASONING[k % 4] : '');
    conversation('blender', dayTime(k % 14));
  }
  // The blender's script sends 14 wrapped tasks in five small batches, never read.
  let task = 2000;
  for (const [day, size] of [
    [1, 3],
    [4, 3],
    [6, 3],
    [9, 3],
    [12, 2],
  ] as const) {
    let ts = dayTime(day);
    for (let i = 0; i < size; i++) {
      events.push(
        event('blender', ts, [{ role: 'user', content: `${tasks[task++]!}\n\n${HARVEST_WRAPPER}` }]),
      );
      ts += (10 + r() * 30) * 1000;
    }
  }
  findings = run.findings();
}, 120_000);

describe.skipIf(missing)('a blended slice on real text', () => {
  it('brings a light blend to review, its reasoning requests singled out against its own traffic', () => {
    const f = findings.get('blender')!;
    const fired = f.signals.map((s) => s.detector);
    expect(fired).toEqual(expect.arrayContaining(['elicitation-pacing', 'elicitation-unanswered']));
    expect(f.level).toBe('review');
  });
  it('never acts on a blended slice alone', () => {
    expect(findings.get('blender')!.basis!.act_gate.passed).toBe(false);
  });
  it('leaves a person who asks for reasoning and reads it, and ordinary people, below review', () => {
    expect(findings.get('student')!.level).toMatch(/none|monitor/);
    for (let u = 0; u < USERS; u++) expect(findings.get(`user${u}`)!.level).toMatch(/none|monitor/);
  });
});
