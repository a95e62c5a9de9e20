import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import { corporaMissing, distillationTasks, peopleTraffic, HOUR, START } from './real-corpora.js';

// Reasoning harvested in scripted batches inside an account that is otherwise a person's, on
// real text: people's conversations (hh-rlhf) and a real distillation query set (Alpaca).
const missing = corporaMissing('elicitation-pacing tests');

const ASKS = [
  'Can you explain your reasoning step by step?',
  'Please show your work so I can follow it.',
  'Walk me through your thought process.',
  'Think it through carefully and explain each step of your reasoning.',
];
const WRAPPER = 'Show your full reasoning step by step before the final answer.';

let findings: Map<string, AccountFinding>;

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const { events, event, r, conversation, dayTime } = peopleTraffic(11);
  const engine = new DetectionEngine();

  // 300 ordinary people: a few conversations each.
  for (let u = 0; u < 300; u++) {
    engine.addAccount({
      account_id: `user${u}`,
      created_at: new Date(START - 400 * 24 * HOUR).toISOString(),
    });
    for (let k = 0, n = 2 + Math.floor(r() * 5); k < n; k++)
      conversation(`user${u}`, dayTime(Math.floor(r() * 14)));
  }
  for (const id of ['blender', 'student', 'harness'])
    engine.addAccount({ account_id: id, created_at: new Date(START - 500 * 24 * HOUR).toISOString() });
  // The student opens a third of their conversations asking, in their own words, for reasoning.
  // The blender is a person too, and a script sends 8 batches of 6 wrapped tasks back to back.
  for (let k = 0; k < 60; k++) {
    conversation('student', dayTime(k % 14), k % 3 === 0 ? ASKS[k % ASKS.length] : '');
    conversation('blender', dayTime(k % 14));
  }
  for (let b = 0; b < 8; b++) {
    let ts = dayTime(b + 3);
    for (let i = 0; i < 6; i++) {
      events.push(
        event('blender', ts, [{ role: 'user', content: `${tasks[3000 + b * 6 + i]!}\n\n${WRAPPER}` }]),
      );
      ts += (10 + r() * 30) * 1000;
    }
  }
  // An eval harness: one-shot benchmark prompts, half of them chain-of-thought, all back to back.
  for (let i = 0; i < 200; i++)
    events.push(
      event('harness', START + 5 * 24 * HOUR + i * 15_000, [
        { role: 'user', content: i % 2 ? `${tasks[4000 + i]!}\n\n${WRAPPER}` : tasks[4000 + i]! },
      ]),
    );
  // Traffic arrives in time order, as from the ingest layer or a partition of the bus.
  events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  for (const e of events) engine.addEvent(e);
  findings = new Map(engine.analyze().findings.accounts.map((a) => [a.account_id, a]));
}, 120_000);

const fired = (id: string): string[] => findings.get(id)?.signals.map((s) => s.detector) ?? [];

describe.skipIf(missing)('elicitation-pacing on real text', () => {
  it('fires on reasoning harvested in batches inside a person’s account, and brings it to review', () => {
    expect(fired('blender')).toContain('elicitation-pacing');
    const signal = findings.get('blender')!.signals.find((s) => s.detector === 'elicitation-pacing')!;
    expect(signal.evidence).toMatch(/^40 of 48 one-shot requests asking for reasoning/);
    expect(signal.examples?.length).toBeGreaterThan(0);
    expect(findings.get('blender')!.level).toMatch(/review|act/);
  });
  it('stays quiet on a student asking for reasoning at a person’s pace, and on an eval harness', () => {
    expect(fired('student')).not.toContain('elicitation-pacing');
    expect(findings.get('student')!.level).toMatch(/none|monitor/);
    expect(fired('harness')).not.toContain('elicitation-pacing');
  });
  it('never fires on ordinary people', () => {
    for (let u = 0; u < 300; u++) expect(fired(`user${u}`)).not.toContain('elicitation-pacing');
  });
});

describe.skipIf(missing)('elicitation-unanswered on real text', () => {
  it('sees that the blender never answers the reasoning it asks for, though it answers the rest', () => {
    const signal = findings.get('blender')!.signals.find((s) => s.detector === 'elicitation-unanswered');
    expect(signal?.evidence).toMatch(/^48 of 48 messages asking for reasoning \(100 %\) were never answered/);
    expect(signal!.p_value).toBeLessThan(1e-6);
  });
  it('stays quiet on the student, who goes on talking about the reasoning, and on the harness', () => {
    // The student's reasoning requests open conversations the student goes on with.
    expect(fired('student')).not.toContain('elicitation-unanswered');
    // The harness answers nothing at all: nothing to compare with.
    expect(fired('harness')).not.toContain('elicitation-unanswered');
    for (let u = 0; u < 300; u++) expect(fired(`user${u}`)).not.toContain('elicitation-unanswered');
  });
});
