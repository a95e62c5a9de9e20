import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding, ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import {
  corpora,
  distillationTasks,
  eventFactory,
  haveCorpora as have,
  HOUR,
  humanConversations,
  rng,
  START,
} from './real-corpora.js';

// Detectors on text the project did not write: ordinary users speak the human turns of real
// conversations (hh-rlhf); extraction accounts send a real distillation query set (Alpaca).
if (!have && !process.env.CI) console.warn(`skipping real-text detector tests: ${corpora} is absent`);

let findings: Map<string, AccountFinding>;

type EventOf = ReturnType<typeof eventFactory>;

/** An account record made `daysOld` days before START. */
const addAccount = (engine: DetectionEngine, account_id: string, daysOld: number, tier: string): void =>
  engine.addAccount({ account_id, created_at: new Date(START - daysOld * 24 * HOUR).toISOString(), tier });

/** 400 ordinary users: a few real conversations each, by day in their own time zone. */
function addOrdinaryUsers(
  engine: DetectionEngine,
  r: () => number,
  event: EventOf,
  convs: { turns: string[] }[],
): void {
  let c = 0;
  for (let u = 0; u < 400; u++) {
    const id = `user${u}`;
    const tz = Math.floor(r() * 24);
    addAccount(engine, id, 100 + r() * 900, 'free');
    const sessions = 2 + Math.floor(r() * 4);
    for (let s = 0; s < sessions; s++) {
      const turns = convs[c++ % convs.length]!.turns;
      const day = Math.floor(r() * 14);
      let ts = START + day * 24 * HOUR + ((tz + 9 + r() * 12) % 24) * HOUR;
      const history: ApiEvent['request']['messages'] = [];
      for (const turn of turns) {
        history.push({ role: 'user', content: turn });
        engine.addEvent(event(id, ts, [...history]));
        history.push({ role: 'assistant', content: 'I see. Here is what I can tell you.' });
        ts += (30 + r() * 300) * 1000;
      }
    }
  }
}

beforeAll(() => {
  if (!have) return;
  const convs = humanConversations().map((turns) => ({ turns }));
  const tasks = distillationTasks();
  const engine = new DetectionEngine();
  const r = rng(7);
  const event = eventFactory();
  addOrdinaryUsers(engine, r, event, convs);
  // A capability sweep: a new account sending the Alpaca instructions around the clock.
  addAccount(engine, 'sweeper', 2, 'free');
  for (let i = 0; i < 600; i++) {
    engine.addEvent(
      event('sweeper', START + i * 20 * 60_000 + Math.floor(r() * 1000), [
        { role: 'user', content: tasks[i]! },
      ]),
    );
  }
  // A scheduler: the same kind of traffic at a fixed 7-minute cadence, all day.
  addAccount(engine, 'scheduler', 300, 'paid');
  for (let i = 0; i < 400; i++) {
    engine.addEvent(
      event('scheduler', START + i * 7 * 60_000, [
        { role: 'user', content: convs[(i * 7) % convs.length]!.turns[0]! },
      ]),
    );
  }
  // Soft-label harvesting of the Alpaca set, and an eval harness scoring one token.
  addAccount(engine, 'harvester', 400, 'paid');
  addAccount(engine, 'evaluator', 400, 'enterprise');
  for (let i = 0; i < 300; i++) {
    const ts = START + (i % 10) * 24 * HOUR + (9 + (i % 8)) * HOUR + i * 1000;
    engine.addEvent(
      event('harvester', ts, [{ role: 'user', content: tasks[1000 + i]! }], {
        temperature: 1,
        n: 4,
        logprobs: true,
        top_logprobs: 20,
        max_tokens: 512,
      }),
    );
    engine.addEvent(
      event('evaluator', ts, [{ role: 'user', content: `${tasks[2000 + i]!}\nAnswer:` }], {
        temperature: 0,
        logprobs: true,
        top_logprobs: 5,
        max_tokens: 1,
      }),
    );
  }
  findings = new Map(engine.analyze().findings.accounts.map((a) => [a.account_id, a]));
}, 120_000);

// Chain-of-thought prompting at temperature 0 on real tasks, beside the same ordinary users, two
// ways: a harness re-running one suite of 400 against three models on three days (every prompt
// re-sent, never often), and a distiller sending 1,200 tasks once each.
let cotFindings: Map<string, AccountFinding>;
beforeAll(() => {
  if (!have) return;
  const engine = new DetectionEngine();
  const event = eventFactory();
  const tasks = distillationTasks();
  addOrdinaryUsers(
    engine,
    rng(7),
    event,
    humanConversations().map((turns) => ({ turns })),
  );
  const cot = (task: string): ApiEvent['request']['messages'] => [
    { role: 'user', content: `${task}\nLet's think step by step.` },
  ];
  const greedy = { temperature: 0, max_tokens: 512 };
  for (const id of ['suite-runner', 'cot-distiller']) addAccount(engine, id, 200, 'enterprise');
  for (let run = 0; run < 3; run++)
    for (let i = 0; i < 400; i++) {
      const ts = START + (2 + run * 4) * 24 * HOUR + 14 * HOUR + i * 1500;
      const model = ['m-large', 'm-medium', 'm-small'][(i + run) % 3]!;
      engine.addEvent({ ...event('suite-runner', ts, cot(tasks[3000 + i]!), greedy), model });
      engine.addEvent(event('cot-distiller', ts + 700, cot(tasks[4000 + run * 400 + i]!), greedy));
    }
  cotFindings = new Map(engine.analyze().findings.accounts.map((a) => [a.account_id, a]));
}, 120_000);

const fired = (id: string): string[] => findings.get(id)?.signals.map((s) => s.detector) ?? [];
const ordinaryShare = (detector: string): number => {
  let n = 0;
  for (let u = 0; u < 400; u++) if (fired(`user${u}`).includes(detector)) n++;
  return n / 400;
};

describe.skipIf(!have)('detectors on real text', () => {
  // Distribution shift (word vectors or hashed n-grams) does not separate one sweeping account from
  // people who each keep to their own topic: it earns its keep on pooled clusters.
  it('topic-sweep fires on a real distillation query set', () => {
    expect(fired('sweeper')).toContain('topic-sweep');
    expect(ordinaryShare('topic-sweep')).toBeLessThan(0.02);
    expect(ordinaryShare('distribution-shift')).toBeLessThan(0.02);
  });
  it('automation-timing fires on a fixed cadence around the clock', () => {
    expect(fired('scheduler')).toContain('automation-timing');
    expect(ordinaryShare('automation-timing')).toBeLessThan(0.02);
  });
  it('volume-ramp fires on a two-day-old free account sending hundreds of requests', () => {
    expect(fired('sweeper')).toContain('volume-ramp');
    expect(ordinaryShare('volume-ramp')).toBeLessThan(0.02);
  });
  it('output-harvesting fires on soft labels with many samples, not on one-token scoring', () => {
    expect(fired('harvester')).toContain('output-harvesting');
    expect(fired('evaluator')).not.toContain('output-harvesting');
    expect(findings.get('harvester')?.level).toMatch(/review|act/);
  });
  it('withholds act from a suite re-run at temperature 0, and only from it', () => {
    // Re-sending the same prompts measures models; sending new ones at temperature 0 harvests.
    const runner = cotFindings.get('suite-runner')!;
    const lines = (id: string): string[] => cotFindings.get(id)!.signals.map((s) => s.detector);
    expect(runner.level).not.toBe('act');
    if (runner.level === 'review') expect(lines('suite-runner')).toContain('regression-pattern');
    expect(lines('cot-distiller')).not.toContain('regression-pattern');
    expect(cotFindings.get('cot-distiller')?.level).toMatch(/review|act/);
  });
  it('keeps ordinary users below review', () => {
    let flagged = 0;
    for (let u = 0; u < 400; u++) if (['review', 'act'].includes(findings.get(`user${u}`)!.level)) flagged++;
    expect(flagged).toBeLessThanOrEqual(1);
  });
});
