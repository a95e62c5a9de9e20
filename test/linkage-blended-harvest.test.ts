import { beforeAll, describe, expect, it } from 'vitest';
import { accountAttributes, linkAccounts, type LinkageResult } from '../src/link/index.js';
import { DetectionEngine, type AnalysisDetail } from '../src/findings/index.js';
import { EntityStats } from '../src/features/index.js';
import { corporaMissing, distillationTasks, peopleTraffic, HOUR, START } from './real-corpora.js';

// One operator harvesting reasoning through accounts that otherwise look like people's, each
// from its own network, card and client: what ties them is the recipe (the same few wrapper
// phrasings around tasks). Real text: people's conversations (hh-rlhf), a real distillation
// query set (Alpaca).
const missing = corporaMissing('blended-harvest linkage tests');

const OPERATOR_WRAPPERS = [
  'Provide a detailed, step-by-step derivation. Do not skip any steps.',
  'Think carefully. Write your reasoning inside <thinking> tags and the final answer inside <answer> tags.',
  'Explain your reasoning process in detail, then state the answer.',
];
// People asking for steps: each in their own words, and one phrasing many people use.
const OWN_WORDS = [
  'Can you explain your reasoning step by step?',
  'Please show your work so I can follow it.',
  'Walk me through your thought process.',
  'Could you break down each step of your reasoning for me?',
];
const COMMON = 'Explain step by step.';
const OPERATOR = ['op-a', 'op-b', 'op-c', 'op-d'];
const STUDENTS = OWN_WORDS.map((_, i) => `student${i}`);

let detail: AnalysisDetail;
/** The whole linkage graph, every account's attributes included (findings keep clustered edges). */
let linkage: LinkageResult;

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const { events, event, r, conversation, dayTime } = peopleTraffic(23);
  const engine = new DetectionEngine();
  const created = new Date(START - 400 * 24 * HOUR).toISOString();

  // 300 people, each with their own card; 60 of them sometimes add the common phrasing.
  for (let u = 0; u < 300; u++) {
    engine.addAccount({ account_id: `user${u}`, created_at: created, payment_fingerprint: `card-u${u}` });
    for (let k = 0, n = 2 + Math.floor(r() * 5); k < n; k++)
      conversation(`user${u}`, dayTime(Math.floor(r() * 14)), u < 60 && k % 2 === 0 ? COMMON : '');
  }
  // Students ask for reasoning in a third of their conversations, each in their own words.
  STUDENTS.forEach((id, i) => {
    engine.addAccount({ account_id: id, created_at: created, payment_fingerprint: `card-${id}` });
    for (let k = 0; k < 45; k++) conversation(id, dayTime(k % 14), k % 3 === 0 ? OWN_WORDS[i]! : '');
  });
  // The operator's accounts: a person's use, plus about a fifth of their requests being tasks
  // wrapped in the operator's phrasings, sent in batches.
  let t = 0;
  OPERATOR.forEach((id, a) => {
    engine.addAccount({ account_id: id, created_at: created, payment_fingerprint: `card-${id}` });
    for (let k = 0; k < 50; k++) conversation(id, dayTime(k % 14));
    for (let b = 0; b < 6; b++) {
      let ts = dayTime(b * 2 + (a % 2));
      for (let i = 0; i < 6; i++) {
        const wrapper = OPERATOR_WRAPPERS[(a + b + i) % OPERATOR_WRAPPERS.length]!;
        const task = tasks[3000 + t++]!;
        const content = (b + i) % 2 ? `${wrapper}\n\n${task}` : `${task}\n\n${wrapper}`;
        events.push(event(id, ts, [{ role: 'user', content }]));
        ts += (10 + r() * 30) * 1000;
      }
    }
  });
  events.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
  for (const e of events) engine.addEvent(e);
  detail = engine.analyze();
  const ids = [...STUDENTS, ...OPERATOR, ...Array.from({ length: 300 }, (_, u) => `user${u}`)];
  linkage = linkAccounts(
    new Map(
      ids.map((id) => {
        const state = engine.accountState(id)!;
        return [id, accountAttributes(state.record ?? undefined, EntityStats.fromSnapshot(state.stats!))];
      }),
    ),
  );
}, 120_000);

describe.skipIf(missing)('linkage of a harvest blended into ordinary accounts', () => {
  it('finds the operator’s accounts as one cluster, held together by their wrapper phrasings', () => {
    const cluster = detail.findings.clusters.find((cl) => cl.account_ids.includes('op-a'));
    expect(cluster).toBeDefined();
    expect([...cluster!.account_ids].sort()).toEqual(OPERATOR);
    expect(cluster!.links.some((l) => l.kind === 'elicitation_wrapper' && l.accounts === 4)).toBe(true);
  });
  it('does not link people who ask for reasoning, in their own words or in a common phrasing', () => {
    const operator = new Set(OPERATOR);
    const linked = linkage.edges.filter((e) => !operator.has(e.source) || !operator.has(e.target));
    expect(linked).toEqual([]);
    // The common phrasing is an attribute of the people who repeat it, but too common to link.
    const wrappers = [...linkage.holders].filter(([key]) => key.startsWith('elicitation_wrapper'));
    expect(Math.max(...wrappers.map(([, n]) => n))).toBeGreaterThan(5);
    for (const cl of detail.findings.clusters)
      expect(cl.account_ids.filter((id) => !operator.has(id))).toEqual([]);
  });
});
