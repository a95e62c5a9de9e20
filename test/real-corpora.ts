import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccountFinding, ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';

// The shared corpora (../shared/corpora): text the project did not write, for detector tests.
export const corpora = resolve(process.cwd(), '../shared/corpora');
export const haveCorpora = existsSync(corpora);

/** True when the corpora are absent, so `what` must be skipped; says so outside CI. */
export function corporaMissing(what: string): boolean {
  if (!haveCorpora && !process.env.CI) console.warn(`skipping ${what}: ${corpora} is absent`);
  return !haveCorpora;
}

export const corpusLines = <T>(file: string): T[] =>
  readFileSync(resolve(corpora, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

/** Human turns of real conversations (hh-rlhf). */
export const humanConversations = (): string[][] =>
  corpusLines<{ turns: string[] }>('human-hh-harmless.jsonl').map((c) => c.turns);
/** A real distillation query set (Alpaca). */
export const distillationTasks = (): string[] =>
  corpusLines<{ prompt: string }>('distill-alpaca-5000.jsonl').map((t) => t.prompt);

/** How people ask for reasoning in their own words (a few common phrasings). */
export const PEOPLE_ASKING_REASONING = [
  'Can you explain your reasoning step by step?',
  'Please show your work so I can follow it.',
  'Walk me through your thought process.',
  'Think it through carefully and explain each step of your reasoning.',
];
/** One fixed wrapper sentence a harvester appends to every task. */
export const HARVEST_WRAPPER = 'Show your full reasoning step by step before the final answer.';

export const START = Date.parse('2026-10-01T00:00:00Z');
export const HOUR = 3_600_000;

/** Small seeded generator (mulberry32), so a test's traffic is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds events with sequential ids. */
export function eventFactory(): (
  account: string,
  ts: number,
  messages: ApiEvent['request']['messages'],
  params?: ApiEvent['request']['params'],
) => ApiEvent {
  let seq = 0;
  return (account, ts, messages, params) => ({
    id: `e${seq++}`,
    ts: new Date(ts).toISOString(),
    account_id: account,
    model: 'm-1',
    request: { messages, ...(params ? { params } : {}) },
  });
}

/**
 * People's traffic on real conversations (hh-rlhf), for adding campaign traffic beside it:
 * `conversation` sends one, each turn answered and read before the next; `dayTime` is a moment
 * of a day's waking hours. One seeded generator `r` serves them and the caller, in call order.
 */
export function peopleTraffic(seed: number): {
  events: ApiEvent[];
  event: ReturnType<typeof eventFactory>;
  r: () => number;
  conversation: (account: string, start: number, firstTurnSuffix?: string) => void;
  dayTime: (day: number) => number;
} {
  const convs = humanConversations();
  const r = rng(seed);
  const event = eventFactory();
  const events: ApiEvent[] = [];
  let c = 0;
  const conversation = (account: string, start: number, firstTurnSuffix = ''): void => {
    const turns = convs[c++ % convs.length]!;
    const history: ApiEvent['request']['messages'] = [];
    let ts = start;
    turns.forEach((turn, i) => {
      history.push({
        role: 'user',
        content: i === 0 && firstTurnSuffix ? `${turn}\n\n${firstTurnSuffix}` : turn,
      });
      events.push(event(account, ts, [...history]));
      history.push({ role: 'assistant', content: 'I see. Here is what I can tell you.' });
      ts += (40 + r() * 300) * 1000;
    });
  };
  const dayTime = (day: number): number => START + day * 24 * HOUR + (8 + r() * 11) * HOUR;
  return { events, event, r, conversation, dayTime };
}

type Messages = ApiEvent['request']['messages'];

/** One step of a tool loop: the assistant calls a tool and the tool answers (no user message). */
export const toolStep = (call: string): Messages => [
  { role: 'assistant', content: '', tool_calls: [{ id: call, type: 'function' }] },
  { role: 'tool', content: '{"found":true}', tool_call_id: call },
];

/**
 * peopleTraffic with a DetectionEngine to feed, the set-up of the real-text detector tests.
 * `account` registers an account made `daysOld` days before START; `people` adds `count`
 * ordinary people (`user0`, `user1`, …, 400 days old) with `min` to `min + spread - 1`
 * conversations each over two weeks, a share `asking` of them opening with a request for
 * reasoning in their own words; `findings` feeds the events in time order (as from the ingest
 * layer or a partition of the bus) and returns the account findings by id.
 */
export function peopleEngine(seed: number): ReturnType<typeof peopleTraffic> & {
  engine: DetectionEngine;
  account: (id: string, daysOld: number) => void;
  people: (count: number, min: number, spread: number, asking?: number) => void;
  findings: () => Map<string, AccountFinding>;
} {
  const traffic = peopleTraffic(seed);
  const { events, r, conversation, dayTime } = traffic;
  const engine = new DetectionEngine();
  const account = (id: string, daysOld: number): void =>
    engine.addAccount({ account_id: id, created_at: new Date(START - daysOld * 24 * HOUR).toISOString() });
  const people = (count: number, min: number, spread: number, asking = 0): void => {
    for (let u = 0; u < count; u++) {
      account(`user${u}`, 400);
      for (let k = 0, n = min + Math.floor(r() * spread); k < n; k++) {
        const ts = dayTime(Math.floor(r() * 14));
        const asks = asking > 0 && r() < asking;
        conversation(`user${u}`, ts, asks ? PEOPLE_ASKING_REASONING[u % PEOPLE_ASKING_REASONING.length] : '');
      }
    }
  };
  const findings = (): Map<string, AccountFinding> => {
    events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
    for (const e of events) engine.addEvent(e);
    return new Map(engine.analyze().findings.accounts.map((a) => [a.account_id, a]));
  };
  return { ...traffic, engine, account, people, findings };
}
