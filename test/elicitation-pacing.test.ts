import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding } from '../src/contracts/index.js';
import {
  corporaMissing,
  distillationTasks,
  humanConversations,
  peopleEngine,
  toolStep,
  HOUR,
  START,
  HARVEST_WRAPPER as WRAPPER,
  PEOPLE_ASKING_REASONING as ASKS,
} from './real-corpora.js';

// Reasoning harvested in scripted batches inside an account that is otherwise a person's, on
// real text: people's conversations (hh-rlhf) and a real distillation query set (Alpaca).
const missing = corporaMissing('elicitation-pacing tests');

let findings: Map<string, AccountFinding>;

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const { events, event, r, conversation, dayTime, account, people, ...run } = peopleEngine(11);
  // 300 ordinary people: a few conversations each.
  people(300, 2, 5);
  for (const id of ['blender', 'student', 'harness', 'tutor-app']) account(id, 500);
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
  // A tutoring app whose assistant calls tools: each step of the loop sends the conversation's
  // opener again, then a tool's answer, not a user's. Its users reply in two conversations of
  // five, whatever they opened with; a third of the openers ask for reasoning.
  const convs = humanConversations();
  for (let k = 0; k < 60; k++) {
    const turns = convs[(500 + k) % convs.length]!;
    const opener = k % 3 === 0 ? `${turns[0]!}\n\n${ASKS[k % ASKS.length]!}` : turns[0]!;
    const history: Parameters<typeof event>[2] = [{ role: 'user', content: opener }];
    let ts = dayTime(k % 14);
    events.push(event('tutor-app', ts, [...history]));
    for (let step = 0; step < 2; step++) {
      history.push(...toolStep(`call_${k}_${step}`));
      events.push(event('tutor-app', (ts += 2000), [...history]));
    }
    if (k % 5 < 2) {
      history.push(
        { role: 'assistant', content: 'Here is what I found.' },
        { role: 'user', content: turns[1] ?? 'why?' },
      );
      events.push(event('tutor-app', (ts += 90_000), [...history]));
    }
  }
  findings = run.findings();
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
    expect(signal?.evidence).toMatch(
      /^48 of 48 conversations opened by asking for reasoning \(100 %\) ended without a reply/,
    );
    expect(signal!.p_value).toBeLessThan(1e-6);
  });
  it('stays quiet on the student, who goes on talking about the reasoning, and on the harness', () => {
    // The student's reasoning requests open conversations the student goes on with.
    expect(fired('student')).not.toContain('elicitation-unanswered');
    // The harness answers nothing at all: nothing to compare with.
    expect(fired('harness')).not.toContain('elicitation-unanswered');
    for (let u = 0; u < 300; u++) expect(fired(`user${u}`)).not.toContain('elicitation-unanswered');
  });
  it('counts an app’s tool-loop steps as the one message they resend, not as messages answered or left', () => {
    // Counted per request, the reasoning openers' resends were "never answered" and the other
    // openers' tool steps "answered" (an ordinary tutoring app at review, simulator seed 107).
    // Both kinds of opener are answered in 40 % of conversations here.
    expect(fired('tutor-app')).not.toContain('elicitation-unanswered');
    const line = findings.get('tutor-app')!.basis!.lines.find((l) => l.detector === 'elicitation-unanswered');
    expect(line).toBeUndefined();
  });
});
