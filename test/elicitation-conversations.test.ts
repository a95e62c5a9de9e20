import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountFinding, ApiEvent, ClusterFinding } from '../src/contracts/index.js';
import { DETECTORS } from '../src/detect/index.js';
import { EntityStats } from '../src/features/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import { corporaMissing, corpusLines, peopleTraffic, HOUR, START } from './real-corpora.js';

// Students of one tutoring app ask for the steps and then talk about them; a harvester asks for
// the same steps and never answers. The students share the app (its system prompt, its client,
// a few phrasings), so linkage pools them; what sets them apart is the conversation the trace
// starts. Real text: tasks people asked (Alpaca's seed tasks) and the human turns of real
// conversations (hh-rlhf) as the students' follow-ups.
const missing = corporaMissing('elicitation-in-conversation tests');

const TUTOR =
  "You are a friendly math tutor for high-school students. Explain each step clearly and check the student's understanding.";
const STUDENT_ASKS = [
  'step by step please',
  'can you explain step by step?',
  'show me the steps, step by step',
  'explain step by step how to do this',
];
const HARVEST_WRAPPER = 'Solve the following. Think step by step and show every step of your reasoning.';
const STUDENTS = Array.from({ length: 6 }, (_, i) => `student${i}`);
const HARVESTERS = Array.from({ length: 5 }, (_, i) => `harvester${i}`);

let accounts: Map<string, AccountFinding>;
let clusters: ClusterFinding[];
let engine: DetectionEngine;

beforeAll(() => {
  if (missing) return;
  const tasks = corpusLines<{ prompt: string }>('human-seed-tasks.jsonl').map((t) => t.prompt);
  const { events, event, r, conversation, dayTime } = peopleTraffic(41);
  const followUps = corpusLines<{ turns: string[] }>('human-hh-harmless.jsonl').flatMap((c) =>
    c.turns.slice(1),
  );
  engine = new DetectionEngine();
  const created = (days: number): string => new Date(START - days * 24 * HOUR).toISOString();
  const client = { ip: '198.51.100.7', asn: 64500, user_agent: 'tutorly-app/3.2' };

  for (let u = 0; u < 300; u++) {
    engine.addAccount({
      account_id: `user${u}`,
      created_at: created(100 + u),
      payment_fingerprint: `card-u${u}`,
    });
    for (let k = 0, n = 2 + Math.floor(r() * 5); k < n; k++)
      conversation(`user${u}`, dayTime(Math.floor(r() * 14)));
  }
  // Each student: a task, asked for step by step in a third of the sessions, then two to four
  // questions of their own about the answer.
  let t = 0;
  let f = 0;
  STUDENTS.forEach((id, s) => {
    engine.addAccount({
      account_id: id,
      created_at: created(30 + 40 * s),
      payment_fingerprint: `card-${id}`,
    });
    for (let k = 0; k < 10; k++) {
      const task = tasks[t++ % tasks.length]!;
      const opener = k % 3 === 2 ? task : `${task} ${STUDENT_ASKS[(s + k) % STUDENT_ASKS.length]!}`;
      const history: ApiEvent['request']['messages'] = [{ role: 'system', content: TUTOR }];
      let ts = dayTime(k + (s % 4));
      for (let turn = 0, turns = 3 + Math.floor(r() * 3); turn < turns; turn++) {
        history.push({ role: 'user', content: turn === 0 ? opener : followUps[f++ % followUps.length]! });
        events.push({ ...event(id, ts, [...history]), client });
        history.push({ role: 'assistant', content: 'Here is how it works, one step at a time.' });
        ts += (60 + r() * 240) * 1000;
      }
    }
  });
  // The harvester: the same app's client and prompt, tasks wrapped for a trace, never a reply.
  HARVESTERS.forEach((id, h) => {
    engine.addAccount({ account_id: id, created_at: created(20 + h), payment_fingerprint: `card-${id}` });
    for (let k = 0; k < 30; k++) {
      const task = tasks[t++ % tasks.length]!;
      const content = k % 2 ? `${task}\n\n${HARVEST_WRAPPER}` : task;
      const ts = dayTime(k % 14) + h * 60_000;
      events.push({
        ...event(id, ts, [
          { role: 'system', content: TUTOR },
          { role: 'user', content },
        ]),
        client: { ...client, ip: `203.0.113.${h}` },
      });
    }
  });
  events.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
  for (const e of events) engine.addEvent(e);
  const { findings } = engine.analyze();
  accounts = new Map(findings.accounts.map((a) => [a.account_id, a]));
  clusters = findings.clusters;
}, 120_000);

const atReview = (level: string): boolean => level === 'review' || level === 'act';

describe.skipIf(missing)('reasoning elicitation inside a conversation', () => {
  it('leaves students who talk about the steps below review, alone and pooled', () => {
    for (const id of STUDENTS) expect(atReview(accounts.get(id)?.level ?? 'none')).toBe(false);
    for (const c of clusters.filter((c) => c.account_ids.some((id) => STUDENTS.includes(id))))
      expect(atReview(c.level)).toBe(false);
  });

  it('says which eliciting messages were answered and so not counted', () => {
    const stats = EntityStats.fromSnapshot(engine.accountState('student0')!.stats!);
    // The detector reads the account's counts only, no population context.
    const detector = DETECTORS.find((d) => d.id === 'reasoning-elicitation')!;
    const measured = detector.measure(stats, undefined as never);
    expect(measured?.evidence).toMatch(/^0 of \d+ prompts .*; [1-9]\d* more that the user answered/);
  });

  it('still finds the harvester asking for the same steps without a reply', () => {
    const flagged = HARVESTERS.filter((id) => atReview(accounts.get(id)?.level ?? 'none'));
    expect(flagged).toEqual(HARVESTERS);
  });
});
