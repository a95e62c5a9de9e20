import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeText } from './index.js';
import { asksForReasoningTrace, elicitationSentenceKey, STRONG_PHRASES } from './elicitation-phrases.js';

const asks = (s: string): boolean => asksForReasoningTrace(normalizeText(s));
const corpora = resolve(process.cwd(), '../shared/corpora');
const haveCorpora = existsSync(corpora);
if (!haveCorpora && !process.env.CI) console.warn(`skipping corpus checks: ${corpora} is absent`);

describe('reasoning-trace elicitation phrases', () => {
  it.each([
    'Think step by step and show your full reasoning before giving the final answer.',
    'Explain each step of your reasoning before the final answer.',
    'Please reason out loud: list each step of your thinking, then conclude.',
    'Use chain-of-thought. Q: what is 17*23?',
    'Describe exactly how you arrive at the answer, step by step, before giving it.',
    'Wrap your thoughts in <think> tags, then answer.',
    'Break every problem into steps, reason about each one explicitly, verify your work, then answer.',
    'Pense passo a passo e mostre todo o seu raciocínio antes da resposta final.',
    'Denke Schritt für Schritt nach.',
    '请展示所有中间步骤。',
    'Réfléchis étape par étape.',
  ])('recognises %s', (s) => expect(asks(s)).toBe(true));

  it.each([
    'Give me step-by-step instructions to install Docker on Ubuntu.',
    'What is a good recipe for banana bread?',
    'Can you explain how photosynthesis works?',
    'Write a step by step guide to changing a tyre.',
  ])('leaves ordinary requests alone: %s', (s) => expect(asks(s)).toBe(false));

  it.skipIf(!haveCorpora)('is rare in real human conversations and in an unwrapped distillation set', () => {
    const human = readFileSync(resolve(corpora, 'human-hh-harmless.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => (JSON.parse(l) as { turns: string[] }).turns);
    const distill = readFileSync(resolve(corpora, 'distill-alpaca-5000.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
    const rate = (xs: string[]): number => xs.filter(asks).length / xs.length;
    expect(human.length).toBeGreaterThan(2000);
    expect(rate(human)).toBeLessThan(0.01);
    // Alpaca instructions ask for tasks, not for the model's reasoning: wrapping is what elicits.
    expect(rate(distill)).toBeLessThan(0.02);
    expect(
      rate(distill.map((p) => `${p}\n\nShow your full reasoning step by step, then give the final answer.`)),
    ).toBe(1);
  });
});

describe('the one-scan phrase test', () => {
  // The hot path tests every phrase in one alternation; it must say exactly what testing each
  // phrase alone says. Without "step by step" in the text, only the phrases decide.
  const onePerPhrase = (t: string): boolean => STRONG_PHRASES.some((re) => re.test(t));
  const withoutStepByStep = (t: string): string => t.replace(/step[\s-]*by[\s-]*step/gu, '');

  it.skipIf(!haveCorpora)('agrees with testing each phrase alone on every corpus prompt', () => {
    const strings = [
      'distill-alpaca-5000.jsonl',
      'human-hh-harmless.jsonl',
      'human-seed-tasks.jsonl',
    ].flatMap((f) =>
      readFileSync(resolve(corpora, f), 'utf8')
        .trim()
        .split('\n')
        .flatMap((l) => Object.values(JSON.parse(l) as Record<string, unknown>).flat())
        .filter((v): v is string => typeof v === 'string'),
    );
    // Each prompt as is and wrapped, so both verdicts occur often.
    const texts = strings.flatMap((v, i) => [
      withoutStepByStep(normalizeText(v)),
      withoutStepByStep(
        normalizeText(
          `${v}\n\n${i % 2 ? 'Show your full reasoning' : 'Explain each step of your logic'}, then answer.`,
        ),
      ),
    ]);
    expect(texts.length).toBeGreaterThan(10_000);
    const disagreeing = texts.filter((t) => asksForReasoningTrace(t) !== onePerPhrase(t));
    expect(disagreeing).toEqual([]);
    expect(texts.filter(onePerPhrase).length).toBeGreaterThan(texts.length / 3);
  });
});

describe('elicitationSentenceKey', () => {
  const key = (text: string): string | null => elicitationSentenceKey(normalizeText(text));

  it('gives one key for one wrapper around different tasks, in front or behind', () => {
    const wrapper = 'Think step by step and show your full reasoning before giving the final answer.';
    const a = key(`${wrapper}\n\nWhat is the capital of Australia?`);
    const b = key(`${wrapper}\n\nWrite a haiku about autumn rain in 1987.`);
    expect(a).not.toBeNull();
    expect(a).toBe(b);
    expect(key('Name three noble gases.\n\nShow your reasoning step by step.')).toBe(
      key('Summarise the plot of Hamlet.\n\nShow your reasoning step by step.'),
    );
  });

  it("finds no wrapper in a person's own asking, nor in a canned question sent again", () => {
    expect(key('can you explain step by step how to solve x^2 - 5x + 6 = 0')).toBeNull();
    expect(key('explain how to do long division with polynomials, step by step please')).toBeNull();
    const a = key('My homework: a train leaves at 3pm going 60 mph. Explain each step of your reasoning.');
    const b = key('My homework: what is 15% of 80? Explain each step of your reasoning.');
    expect(a).not.toBeNull();
    expect(a).toBe(b);
    // An app's fixed opening around the user's own words is not an elicitation wrapper.
    const app = (said: string): string | null =>
      key(`Current date: 2025-08-15. User locale: fr-FR.\n\n${said}`);
    expect(app('how do I solve this equation, show your work: 3x = 9')).not.toBe(
      app('why is the sky blue? show your work on the physics of scattering'),
    );
  });

  it('is null when nothing asks for reasoning', () => {
    expect(key('Give me step-by-step instructions to install Python on Windows.')).toBeNull();
  });
});
