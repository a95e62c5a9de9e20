import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize, tokenizeNormalized } from './normalize.js';
import { TOPIC_DOMAINS, topicMask } from './topics.js';

const corpora = resolve(process.cwd(), '../shared/corpora');
const lines = (file: string): Record<string, unknown>[] =>
  readFileSync(resolve(corpora, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
/** Every prompt and turn of the shared corpora (people's conversations, a distillation set). */
const corpusTexts = (): string[] =>
  existsSync(corpora)
    ? [
        ...lines('human-hh-harmless.jsonl').flatMap((c) => c.turns as string[]),
        ...lines('distill-alpaca-5000.jsonl').map((t) => t.prompt as string),
        ...lines('human-seed-tasks.jsonl').flatMap((t) =>
          Object.values(t).filter((v) => typeof v === 'string'),
        ),
      ]
    : [];
if (!existsSync(corpora) && !process.env.CI) console.warn(`skipping corpus texts: ${corpora} is absent`);

// The hot path's shortcuts (perf round of issue 18) against the plain definitions they replace,
// over real text: the shared corpora and hand-made hostile whitespace and scripts.
const HOSTILE = [
  '',
  ' ',
  'a',
  'one two',
  'one  two',
  ' lead',
  'trail ',
  'tab\there',
  'line\nbreak\r\nand\rcr',
  'nbsp\u00a0here',
  'ideographic\u3000space',
  'bom\ufeffinside',
  'line sep\u2028para\u2029end',
  'vt\u000bff\u000c',
  ' \u00a0 ',
  'ＡＢＣ　ｄｅｆ',
  'İstanbul ǅ ß',
  '東京\u2029タワー 请一步一步地展示你的推理。',
  "don’t stop, it's 'quoted'",
  'x'.repeat(5000) + ' \n y',
];

/** normalizeText as first written: NFKC, lower case, every whitespace run one space, trimmed. */
const normalizeReference = (t: string): string =>
  t.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

/** tokenizeNormalized's Unicode path as first written (matchAll). */
function tokensReference(normalised: string): string[] {
  const out: string[] = [];
  for (const m of normalised.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)) {
    const w = m[0];
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u.test(w))
      for (const ch of w) out.push(ch);
    else out.push(w);
  }
  return out;
}

/** topicMask from its definition: a domain is set when one of its stems starts the tokens there. */
function topicMaskReference(tokens: readonly string[]): bigint {
  let mask = 0n;
  Object.values(TOPIC_DOMAINS).forEach((stems, domain) => {
    for (const s of stems) {
      const words = s.split(' ');
      const short = words.length === 1 && s.length < 4;
      for (let i = 0; i < tokens.length; i++) {
        const hit = short
          ? tokens[i] === s
          : tokens[i]!.length >= 4 && words.every((w, j) => tokens[i + j]?.startsWith(w) ?? false);
        if (hit) mask |= 1n << BigInt(domain);
      }
    }
  });
  return mask;
}

describe('text fast paths give what the plain definitions give', () => {
  const texts = (): string[] => [
    ...HOSTILE,
    ...corpusTexts(),
    // One stem of every domain, so the mask's high word (domains 32 and up) is exercised.
    Object.values(TOPIC_DOMAINS)
      .map((stems) => stems[0]!)
      .join(' , '),
  ];

  it('normalizeText skips the whitespace collapse only where it changes nothing', () => {
    for (const t of texts()) expect(normalizeText(t)).toBe(normalizeReference(t));
  });

  it('tokens and topic masks are unchanged, ASCII or not', () => {
    let highBits = 0;
    for (const t of texts()) {
      const normalised = normalizeText(t);
      const tokens = tokenizeNormalized(normalised);
      expect(tokens).toEqual(tokensReference(normalised));
      expect(tokenize(t)).toEqual(tokens);
      const mask = topicMask(tokens);
      expect(mask).toBe(topicMaskReference(tokens));
      if (mask >> 32n !== 0n) highBits++;
    }
    expect(highBits).toBeGreaterThan(0);
  });
});
