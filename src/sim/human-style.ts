import type { Rng } from './rng.js';

/**
 * How people actually type: lower case, missing punctuation, typos, greetings and sign-offs.
 * Each user has a stable style so their messages look like one person wrote them.
 */
export interface HumanStyle {
  lowercase: number;
  typoRate: number;
  greeting: number;
  thanks: number;
  dropPunctuation: number;
}

export function drawStyle(rng: Rng): HumanStyle {
  return {
    lowercase: rng.chance(0.4) ? rng.range(0.5, 1) : rng.range(0, 0.2),
    typoRate: rng.chance(0.5) ? rng.range(0, 0.01) : rng.range(0.01, 0.04),
    greeting: rng.chance(0.25) ? rng.range(0.1, 0.5) : 0,
    thanks: rng.range(0, 0.3),
    dropPunctuation: rng.range(0, 0.6),
  };
}

const GREETINGS = ['hi', 'hey', 'hello', 'Hi!', 'hey there,', 'good morning', 'quick question:', 'ok so'];
const THANKS = ['thanks', 'thank you!', 'thx', 'ty', 'thanks in advance', 'pls', 'please'];
const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sq',
  s: 'ad',
  d: 'sf',
  e: 'wr',
  r: 'et',
  t: 'ry',
  o: 'ip',
  i: 'uo',
  n: 'bm',
  m: 'n',
  h: 'gj',
  l: 'k',
  c: 'xv',
  u: 'yi',
};

export function applyStyle(text: string, style: HumanStyle, rng: Rng): string {
  // Long pasted material (code, documents) keeps its own form; only the person's words change.
  const pasteAt = text.search(/\n\n|\n```|:\n/);
  let head = pasteAt > 0 ? text.slice(0, pasteAt) : text;
  const tail = pasteAt > 0 ? text.slice(pasteAt) : '';
  if (rng.chance(style.lowercase)) head = head.toLowerCase();
  if (rng.chance(style.dropPunctuation)) head = head.replace(/[?.!]+$/, '');
  head = addTypos(head, style.typoRate, rng);
  if (rng.chance(style.greeting)) head = `${rng.pick(GREETINGS)} ${head}`;
  if (rng.chance(style.thanks)) head = `${head}${tail ? '' : ' '}${tail ? '' : rng.pick(THANKS)}`;
  return head + tail;
}

function addTypos(text: string, rate: number, rng: Rng): string {
  if (rate === 0) return text;
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (/[a-z]/.test(ch) && rng.chance(rate)) {
      const kind = rng.int(0, 3);
      if (kind === 0) continue; // dropped letter
      if (kind === 1) {
        out.push(ch, ch); // doubled
        continue;
      }
      if (kind === 2 && i + 1 < chars.length) {
        out.push(chars[i + 1] as string, ch); // swapped
        i++;
        continue;
      }
      const near = KEYBOARD_NEIGHBOURS[ch];
      out.push(near ? rng.pick([...near]) : ch);
      continue;
    }
    out.push(ch);
  }
  return out.join('');
}
