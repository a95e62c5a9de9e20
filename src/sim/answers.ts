import type { Rng } from './rng.js';

/**
 * Short generated answers for `response.text`. Logs often keep only a prefix of the answer,
 * so a few plausible sentences stand in for the whole; token counts carry the real length.
 */
const OPENERS = [
  'Sure!',
  'Good question.',
  'Here is a quick overview.',
  'Absolutely.',
  "Here's what I'd suggest:",
  'Short answer:',
  'There are a few ways to approach this.',
  'It depends a bit on your situation, but generally:',
  '',
  '',
];
const BODIES = [
  'The main thing to keep in mind is to start simple and adjust as you go.',
  'First, check the basics; most issues come from a small configuration detail.',
  'A common approach is to break the problem into smaller parts and handle each one separately.',
  'Most people find it easier to follow a fixed routine for the first couple of weeks.',
  'You can do this in a few lines; the key step is handling the edge case where the input is empty.',
  'The difference mostly comes down to how each option handles cost over time.',
  'In practice the simplest option is usually good enough unless you have specific constraints.',
  'Keep it short and specific, and mention the one thing you want them to do next.',
  'Here is an example you can adapt to your case.',
  'If that does not help, the next thing to try is resetting it to the default settings.',
];
const REASONING_OPENERS = [
  "Let's work through this step by step.\n\n1.",
  'Reasoning:\nFirst, identify what is being asked.',
  '<thinking>\nStart by restating the problem.',
  'Step 1: Understand the problem.',
  'To solve this, I will reason through each part carefully.\n\nFirst,',
];

export function casualAnswer(rng: Rng): string {
  const parts = [rng.pick(OPENERS), ...rng.sample(BODIES, rng.chance(0.6) ? 2 : 1)];
  return parts.filter(Boolean).join(' ');
}

export function reasoningAnswer(rng: Rng): string {
  return [rng.pick(REASONING_OPENERS), ...rng.sample(BODIES, 2)].join(' ');
}

/** People who ask for steps get stepwise answers too, whoever they are. */
const ASKS_FOR_STEPS =
  /step[ -]by[ -]step|show (your|all) work|each step|explain how you got|schritt f|paso a paso|étape par étape|一步一步|chain of thought|reasoning/i;

export function asksForSteps(text: string): boolean {
  return ASKS_FOR_STEPS.test(text);
}

/** Rough token count (about four characters a token for English text). */
export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
