import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding, ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import {
  corporaMissing,
  corpusLines,
  distillationTasks,
  HOUR,
  peopleTraffic,
  START,
} from './real-corpora.js';

// Two unlinked accounts harvest the output distribution (top_logprobs 20, n 2-8 at temperature 1)
// on real task prompts, among ordinary people and customers whose apps use logprobs for their
// own purposes: confidence scores (a system prompt, a few top_logprobs, one sample), people who
// ask for several samples with a few alternatives, and a developer trying top_logprobs 20 on a
// few dozen prompts. On the seed-tasks corpus run (small seed 21) such harvesters were at none:
// their only line was the share of full harvests, tested against a null fitted on accounts that
// included them (μ 0.003, ρ 0.9), and human-written prompts left no second line.
const missing = corporaMissing('distribution-harvest tests');

const USERS = 600;
const TASKERS = 800;
const APPS = 6;

let findings: Map<string, AccountFinding>;

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const seedTasks = corpusLines<{ prompt: string }>('human-seed-tasks.jsonl').map((t) => t.prompt);
  const { events, event, r, conversation, dayTime } = peopleTraffic(21);
  const engine = new DetectionEngine();
  const created = (days: number): string => new Date(START - days * 24 * HOUR).toISOString();
  const user = (text: string): ApiEvent['request']['messages'] => [{ role: 'user', content: text }];
  const spread = (account: string, count: number, send: (ts: number, i: number) => void): void => {
    engine.addAccount({ account_id: account, created_at: created(400) });
    for (let i = 0; i < count; i++) send(dayTime(Math.floor(r() * 14)), i);
  };
  for (let u = 0; u < USERS; u++) {
    engine.addAccount({ account_id: `user${u}`, created_at: created(400) });
    for (let k = 0, n = 3 + Math.floor(r() * 20); k < n; k++)
      conversation(`user${u}`, dayTime(Math.floor(r() * 14)));
  }
  // People and scripts that send one-shot tasks, some of them hundreds.
  let task = 0;
  for (let u = 0; u < TASKERS; u++)
    spread(`tasker${u}`, 3 + Math.floor(r() * (u % 10 === 0 ? 600 : 40)), (ts) =>
      events.push(event(`tasker${u}`, ts, user(tasks[task++ % 2000]!))),
    );
  // Apps that score their own answers: one system prompt, top_logprobs 1-10, one sample.
  for (let a = 0; a < APPS; a++)
    spread(`app${a}`, 150 + 50 * a, (ts, i) =>
      events.push(
        event(
          `app${a}`,
          ts,
          [
            { role: 'system', content: `You are the support assistant of shop number ${a}. Answer briefly.` },
            ...user(seedTasks[(i * 7 + a) % seedTasks.length]!),
          ],
          { logprobs: true, top_logprobs: [1, 2, 3, 5, 5, 10][a]!, max_tokens: 256, temperature: 0.2 },
        ),
      ),
    );
  // People who ask for several samples with a few alternatives, on a handful of requests.
  for (const [id, top, n] of [
    ['sampler0', 3, 3],
    ['sampler1', 3, 5],
    ['sampler2', 10, 2],
  ] as const)
    spread(id, 12, (ts, i) =>
      events.push(
        event(id, ts, user(seedTasks[(i * 11) % seedTasks.length]!), {
          logprobs: true,
          top_logprobs: top,
          n,
          temperature: 1,
        }),
      ),
    );
  // A developer trying the full setting on a few dozen prompts.
  spread('developer', 40, (ts, i) =>
    events.push(
      event('developer', ts, user(tasks[4900 + i]!), {
        logprobs: true,
        top_logprobs: 20,
        n: 3,
        temperature: 1,
        max_tokens: 512,
      }),
    ),
  );
  // The harvesters: every request the full distribution, on hundreds of distinct task prompts.
  task = 2000;
  for (const [id, count] of [
    ['harvester0', 550],
    ['harvester1', 200],
  ] as const)
    spread(id, count, (ts) =>
      events.push(
        event(id, ts, user(tasks[task++]!), {
          logprobs: true,
          top_logprobs: 20,
          n: 2 + Math.floor(r() * 7),
          temperature: 1,
          max_tokens: 512,
        }),
      ),
    );
  events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  for (const e of events) engine.addEvent(e);
  findings = new Map(engine.analyze().findings.accounts.map((a) => [a.account_id, a]));
}, 300_000);

describe.skipIf(missing)('harvesting the output distribution, unlinked, on real task prompts', () => {
  it('brings each harvester to review on two lines: the setting and the volume taken', () => {
    for (const id of ['harvester0', 'harvester1']) {
      const f = findings.get(id)!;
      console.log(
        id,
        f.level,
        JSON.stringify(f.basis),
        f.signals.map((s) => [s.detector, s.p_value, s.evidence]),
      );
      expect(f.level).toBe('review');
      const fired = f.signals.map((s) => s.detector);
      expect(fired).toEqual(expect.arrayContaining(['output-harvesting', 'harvest-volume']));
      expect(f.basis!.review_gate.passed).toBe(true);
    }
  });
  it('never acts on request settings and volume alone', () => {
    for (const id of ['harvester0', 'harvester1'])
      expect(findings.get(id)!.basis!.act_gate.passed).toBe(false);
  });
  it('leaves apps scoring their answers, samplers, a developer trying the setting and people below review', () => {
    const ordinary = [
      ...Array.from({ length: APPS }, (_, a) => `app${a}`),
      'sampler0',
      'sampler1',
      'sampler2',
      'developer',
      ...Array.from({ length: USERS }, (_, u) => `user${u}`),
    ];
    for (const id of ordinary)
      expect([id, findings.get(id)!.level]).toEqual([id, expect.stringMatching(/none|monitor/)]);
    for (const id of ordinary)
      expect(findings.get(id)!.signals.map((s) => s.detector)).not.toContain('harvest-volume');
  });
});
