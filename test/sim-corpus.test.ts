import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CorpusBank, simulationStream } from '../src/sim/index.js';
import type { ApiEvent } from '../src/contracts/index.js';

const corpora = resolve(process.cwd(), '../shared/corpora');
const present = existsSync(join(corpora, 'human-hh-harmless.jsonl'));
if (!present && process.env.CI)
  throw new Error(`../shared/corpora is required when CI is set (looked in ${corpora})`);
if (!present) console.log(`skipping corpus-mode tests: ${corpora} is absent`);

const files = ['human-hh-harmless.jsonl', 'human-seed-tasks.jsonl', 'distill-alpaca-5000.jsonl'].map((f) =>
  join(corpora, f),
);
const lines = (f: string): Record<string, unknown>[] =>
  readFileSync(f, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(!present)('simulate with --corpus (real prompt corpora)', () => {
  it('sorts corpus files by shape and name: conversations and seed tasks to users, the distillation set to attackers', () => {
    const bank = CorpusBank.load(files);
    expect(bank.conversations.length).toBe(2_312);
    expect(bank.benignPrompts.length).toBe(175);
    expect(bank.attackerPrompts.length).toBe(5_000);
    const forced = CorpusBank.load([{ path: files[1] as string, role: 'attacker' }]);
    expect(forced.attackerPrompts.length).toBe(175);
  });

  it("draws ordinary users' turns and attackers' tasks from the corpora, and still validates", () => {
    const human = new Set(lines(files[0] as string).flatMap((r) => r.turns as string[]));
    const seeds = new Set(lines(files[1] as string).map((r) => r.prompt as string));
    const distill = lines(files[2] as string).map((r) => r.prompt as string);
    const sim = simulationStream({ scale: 'small', seed: 5, days: 2, corpus: files });
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(resolve(corpora, '../spec/api-event.schema.json'), 'utf8')) as object,
    );
    const userText = (e: ApiEvent): string => {
      const users = e.request.messages.filter((m) => m.role === 'user');
      const last = users[users.length - 1];
      return typeof last?.content === 'string' ? last.content : '';
    };
    let benignConv = 0;
    let benignFromCorpus = 0;
    let hydra = 0;
    let hydraFromCorpus = 0;
    let hydraAnswers = 0;
    const responses = new Set(lines(files[2] as string).map((r) => r.response as string));
    let invalid = 0;
    for (const e of sim.events()) {
      if (!validate(e)) invalid++;
      const text = userText(e);
      if (
        e.labels?.role === 'benign' &&
        !e.labels.campaign &&
        e.request.messages[0]?.role !== 'system' &&
        !e.request.params?.tools
      ) {
        benignConv++;
        if (human.has(text) || seeds.has(text)) benignFromCorpus++;
      }
      if (e.labels?.campaign === 'hydra' && !e.request.params?.tools) {
        hydra++;
        // Checking a sample keeps the substring search cheap.
        if (hydra <= 400 && distill.some((p) => text.includes(p))) hydraFromCorpus++;
        if (e.response?.text && responses.has(e.response.text)) hydraAnswers++;
      }
    }
    expect(invalid).toBe(0);
    expect(benignConv).toBeGreaterThan(1_000);
    expect(benignFromCorpus / benignConv).toBeGreaterThan(0.9);
    expect(hydra).toBeGreaterThan(300);
    expect(hydraFromCorpus / 400).toBeGreaterThan(0.5);
    expect(hydraAnswers / hydra).toBeGreaterThan(0.5);
  });

  it('reports a corpus file with no usable lines', () => {
    expect(() => CorpusBank.load([resolve(corpora, 'README.md')])).toThrow(/no usable lines/);
  });
});
