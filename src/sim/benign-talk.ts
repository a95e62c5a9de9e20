import type { CorpusText, Deck } from './corpus.js';
import { FOREIGN_PROMPTS } from './foreign-prompts.js';
import type { Language } from './geography.js';
import {
  CODE_SNIPPETS,
  COMMON_SLOTS,
  GENERIC_FOLLOW_UPS,
  LONG_TEXT_SENTENCES,
  TOPICS,
  type Topic,
} from './benign-topics.js';
import { applyStyle, type HumanStyle } from './human-style.js';
import type { Rng } from './rng.js';

export type BenignKind = 'consumer' | 'developer' | 'student' | 'analyst';

/** Real human texts to draw from instead of the generators (corpus mode). */
export interface HumanCorpus {
  conversations?: Deck<string[]>;
  prompts?: Deck<CorpusText>;
}

/** A person's stable interests: a few topics they keep coming back to, plus the odd new one. */
export function drawInterests(kind: BenignKind, rng: Rng): Topic[] {
  const fitting = TOPICS.filter((t) => t.audience.includes(kind));
  const others = TOPICS.filter((t) => !t.audience.includes(kind));
  return [...rng.sample(fitting, rng.int(2, 6)), ...rng.sample(others, rng.int(0, 2))];
}

export function fillSlots(template: string, topic: Topic | undefined, rng: Rng): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === 'longtext') return longText(rng);
    if (name === 'code') return rng.pick(CODE_SNIPPETS);
    const options = topic?.slots?.[name] ?? COMMON_SLOTS[name];
    return options ? rng.pick(options) : whole;
  });
}

function longText(rng: Rng): string {
  const start = rng.int(0, LONG_TEXT_SENTENCES.length - 1);
  const count = rng.int(4, 12);
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(LONG_TEXT_SENTENCES[(start + i) % LONG_TEXT_SENTENCES.length] as string);
  const paragraphs: string[] = [];
  while (out.length) paragraphs.push(out.splice(0, rng.int(2, 4)).join(' '));
  return paragraphs.join('\n\n');
}

/**
 * The user turns of one conversation, in order. Corpus conversations are used as they are;
 * generated ones get the person's typing style.
 */
export function conversationTurns(
  kind: BenignKind,
  language: Language,
  interests: readonly Topic[],
  style: HumanStyle,
  maxTurns: number,
  corpus: HumanCorpus | undefined,
  rng: Rng,
): string[] {
  if (corpus?.conversations && (!corpus.prompts || rng.chance(0.8))) {
    return corpus.conversations.draw().slice(0, Math.max(1, maxTurns));
  }
  if (corpus?.prompts) {
    return [corpus.prompts.draw().prompt];
  }
  const foreign = FOREIGN_PROMPTS[language];
  if (foreign && language !== 'en' && rng.chance(0.55)) {
    const turns = [rng.pick(foreign.openers)];
    for (let i = 1; i < maxTurns; i++) turns.push(rng.pick(foreign.followUps));
    return turns;
  }
  const topic = rng.chance(0.85) ? rng.pick(interests) : rng.pick(TOPICS);
  const turns = [applyStyle(fillSlots(rng.pick(topic.openers), topic, rng), style, rng)];
  if (kind === 'student' && rng.chance(0.2))
    turns[0] += rng.pick([
      ' step by step please',
      '. explain each step',
      ', show your work',
      ' (explain how you got it)',
    ]);
  for (let i = 1; i < maxTurns; i++) {
    const pool = rng.chance(0.6) ? topic.followUps : GENERIC_FOLLOW_UPS;
    turns.push(applyStyle(fillSlots(rng.pick(pool), topic, rng), style, rng));
  }
  return turns;
}

/** How many turns a person's conversation has: mostly one or two, sometimes long. */
export function drawTurnCount(kind: BenignKind, rng: Rng): number {
  const r = rng.float();
  if (r < (kind === 'developer' ? 0.45 : 0.5)) return 1;
  if (r < 0.8) return rng.int(2, 3);
  if (r < 0.96) return rng.int(4, 6);
  return rng.int(7, 14);
}

/**
 * Products often wrap what their end users type in a fixed template (retrieval context,
 * instructions, metadata). Such templating is ordinary, not a sign of extraction.
 */
export const APP_TEMPLATES: readonly ((said: string, ts: number, rng: Rng) => string)[] = [
  (said, _ts, rng) =>
    `Answer the question using only the context below. If the answer is not in the context, say you don't know.\n\nContext:\n${rng.sample(LONG_TEXT_SENTENCES, rng.int(3, 6)).join(' ')}\n\nQuestion: ${said}`,
  (said) => `<user_input>\n${said}\n</user_input>`,
  (said) => `The customer wrote: "${said}"\nDraft a helpful reply.`,
  (said, ts, rng) =>
    `Current date: ${new Date(ts).toISOString().slice(0, 10)}. User locale: ${rng.pick(['en-US', 'en-GB', 'de-DE', 'es-ES', 'fr-FR', 'pt-BR'])}.\n\n${said}`,
  (said) => `User message:\n${said}\n\nRespond briefly and in a friendly tone.`,
  (said, _ts, rng) =>
    `### Conversation so far\n(${rng.int(0, 6)} earlier messages omitted)\n\n### New message\n${said}`,
];
