import { describe, expect, it } from 'vitest';
import { HashedNgramEmbedder } from './hashed-embedder.js';
import { cosine } from './embedder.js';
import {
  estimateJaccard,
  lshBandKeys,
  minhashSignature,
  signatureFromHex,
  signatureToHex,
} from './minhash.js';
import { normalizeText, tokenize, tokenizeNormalized } from './normalize.js';
import {
  maskedTokens,
  maskedTokensByRegex,
  templateKeys,
  templateKeyText,
  templateSkeleton,
  type TemplateKeys,
} from './template.js';
import { fingerprint64, hex16, seededRandom } from './hash.js';
import { TOPIC_NAMES, popcount, topicMask } from './topics.js';

describe('tokenize', () => {
  it('lower-cases, splits words and keeps CJK as characters', () => {
    expect(tokenize('Hello,  WORLD! It’s 42')).toEqual(['hello', 'world', 'it’s', '42']);
    expect(tokenize('逐步思考')).toEqual(['逐', '步', '思', '考']);
  });
});

describe('hex16', () => {
  it('writes two 32-bit numbers as toString(16), zero-padded to 8 digits each', () => {
    const hex = (x: number): string => x.toString(16).padStart(8, '0');
    const rnd = seededRandom(3);
    const values = [0, 1, 15, 16, 0xff, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xffffffff];
    for (let k = 0; k < 2000; k++) values.push(Math.floor(rnd() * 2 ** 32));
    for (let k = 0; k < values.length; k++) {
      const a = values[k]!;
      const b = values[(k * 7 + 3) % values.length]!;
      expect(hex16(a, b)).toBe(hex(a) + hex(b));
    }
  });
});

describe('minhash', () => {
  const a = 'Explain the causes of the French Revolution and its effects on European politics in detail';
  const b = 'Explain the causes of the French Revolution and its effects on European politics in depth';
  const c = 'What is a good recipe for banana bread without eggs?';
  it('estimates high Jaccard for near-duplicates and low for unrelated texts', () => {
    expect(estimateJaccard(minhashSignature(a), minhashSignature(b))).toBeGreaterThan(0.6);
    expect(estimateJaccard(minhashSignature(a), minhashSignature(c))).toBeLessThan(0.1);
  });
  it('shares LSH band keys between near-duplicates only', () => {
    const ka = new Set(lshBandKeys(minhashSignature(a)));
    expect(lshBandKeys(minhashSignature(b)).some((k) => ka.has(k))).toBe(true);
    expect(lshBandKeys(minhashSignature(c)).some((k) => ka.has(k))).toBe(false);
  });
  it('round-trips signatures through hex', () => {
    const s = minhashSignature(a);
    expect(signatureFromHex(signatureToHex(s))).toEqual(s);
  });
});

describe('template keys', () => {
  const wrap = (task: string): string =>
    `You are being evaluated. Think step by step and show all of your reasoning. Task: ${task} Then give the final answer on the last line.`;
  it('give prompts built from one wrapper the same prefix and suffix keys', () => {
    const k1 = templateKeys(wrap('How many primes are below 100?'));
    const k2 = templateKeys(wrap('Translate "good morning" into Japanese.'));
    expect(k1.prefix).toBe(k2.prefix);
    expect(k1.suffix).toBe(k2.suffix);
  });
  it('masks numbers so re-runs with other values share one skeleton', () => {
    const run = (n: number): string =>
      `Order ${n} has not arrived yet and the tracking page shows nothing new today`;
    expect(templateKeys(run(12345))).toEqual(templateKeys(run(99)));
    expect(templateSkeleton('Order 12345 has not arrived')).toBe('order {number} has not arrived');
  });
  it('reads a template key back as its edge words, slots shown as {…}', () => {
    const a = wrap('How many primes are below 100?');
    const b = wrap('Translate "good morning" into Japanese.');
    const { prefix, suffix } = templateKeys(a);
    expect(templateKeyText(`prefix:${prefix}`, b)).toBe('you are being evaluated think {…}');
    expect(templateKeyText(`suffix:${suffix}`, b)).toBe('{…} answer on the last line');
    // A prompt that does not carry the key never labels it.
    expect(templateKeyText(`prefix:${prefix}`, 'Please think about this for a while and answer')).toBeNull();
  });
  it('writes CJK templates without spaces between characters', () => {
    const ja = (task: string): string => `ステップバイステップで考えてください。${task}`;
    const { prefix } = templateKeys(ja('東京の人口は？'));
    expect(templateKeyText(`prefix:${prefix}`, ja('富士山の高さは？'))).toBe('ステップバ {…}');
    expect(templateSkeleton('請一步一步地思考並寫出推理過程 then answer 42 now')).toBe(
      '請一步一步 {…} 程 then answer {number} now',
    );
  });
  it('masks ASCII text by hand exactly as the slot patterns do', () => {
    const cases = [
      'Order 12345 has not arrived',
      'Call 555-1234, ext. 7 or 1.2.3; at 10:30 /2 3rd 4x x4 _5 5_ 6-',
      `He said "hi" and '' then 'abc' and 'ab' "" "${'x'.repeat(400)}" "${'y'.repeat(401)}"`,
      `don't 'quote\nbroken' "line\nbreak" ''' '''' "a"b"c" 2,000.50- -3.14 1/2/3`,
    ];
    const rnd = seededRandom(11);
    const alphabet = [
      '1',
      '2',
      '0',
      '.',
      ',',
      ':',
      '/',
      '-',
      '"',
      "'",
      '\n',
      ' ',
      'a',
      'Z',
      '_',
      '!',
      'x',
      '9',
    ];
    for (let k = 0; k < 3000; k++) {
      let t = '';
      const len = Math.floor(rnd() * 40);
      for (let i = 0; i < len; i++) t += alphabet[Math.floor(rnd() * alphabet.length)]!;
      cases.push(t);
    }
    for (let k = 0; k < 50; k++)
      cases.push(`'${'q'.repeat(395 + (k % 10))}' "${'w'.repeat(395 + (k % 10))}"`);
    const words = ['Think', 'STEP', 'by', "it's", "o'Neil", '42', 'x-1', '"a b"', "'quoted words'", '_'];
    for (let k = 0; k < 2000; k++) {
      const n = Math.floor(rnd() * 30);
      cases.push(
        Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(
          rnd() < 0.5 ? ' ' : ', ',
        ),
      );
    }
    for (const t of cases) expect(maskedTokens(t), JSON.stringify(t)).toEqual(maskedTokensByRegex(t));
    // templateKeys fingerprints token offsets of such text; the keys are those of the tokens.
    const reference = (text: string): TemplateKeys => {
      const t = maskedTokensByRegex(text);
      if (t.length < 10) return { prefix: null, suffix: null };
      return {
        prefix: fingerprint64('^' + t.slice(0, 5).join(' ')),
        suffix: fingerprint64(t.slice(-5).join(' ') + '$'),
      };
    };
    for (const t of cases) expect(templateKeys(t), JSON.stringify(t)).toEqual(reference(t));
  });
});

describe('hashed embedder', () => {
  it('embeds related texts closer than unrelated ones', () => {
    const e = new HashedNgramEmbedder();
    const a = e.embedOne('how do I bake sourdough bread at home');
    const b = e.embedOne('tips to bake bread at home with sourdough starter');
    const c = e.embedOne('prove that the square root of two is irrational');
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
  });
});

describe('topics', () => {
  it('recognises domains from word stems', () => {
    const m = topicMask(tokenize('Write a Python function to compute the derivative of a polynomial'));
    const names = TOPIC_NAMES.filter((_, i) => (m >> BigInt(i)) & 1n);
    expect(names).toEqual(expect.arrayContaining(['programming', 'calculus', 'algebra']));
    expect(popcount(topicMask(tokenize('hello there')))).toBe(0);
  });
});

describe('tokenize', () => {
  it('gives the tokens of the normalised text, whatever the whitespace', () => {
    const texts = [
      ' a\u00a0b\u2028c\u3000d  ',
      'don\u2019t\u00a0stop',
      'ＡＢＣ　ｄｅｆ',
      '  x\ty\n',
      'İstanbul ǅ ß',
      '東京\u2029タワー',
      "it's 'quoted' ",
      'tab\u000bvt\u000cff \ufeffbom',
    ];
    for (const t of texts) expect(tokenize(t)).toEqual(tokenizeNormalized(normalizeText(t)));
  });
});
