/** Whitespace other than U+0020, or a space followed by more whitespace. */
const COLLAPSIBLE = /[^\S ]| \s/u;

/** Canonical form for comparing prompts: NFKC, lower case, one space between words. */
export function normalizeText(text: string): string {
  // Hot path: ASCII text is already NFKC-normal, so the normalisation pass is skipped for it.
  const nfkc = isAscii(text) ? text : text.normalize('NFKC');
  const lower = nfkc.toLowerCase();
  // Where every whitespace character is a lone U+0020 the collapse changes nothing: skipped, as
  // the replace builds a new string of the whole prompt (half of prompts; tested in text.test).
  return (COLLAPSIBLE.test(lower) ? lower.replace(/\s+/gu, ' ') : lower).trim();
}

// Scripts written without spaces: each character is a token, so CJK prompts still get features.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/**
 * Word tokens of raw text; unspaced scripts split into single characters. The same tokens as
 * tokenizing normalizeText(text): whitespace is never part of a token, so its collapsing and
 * trimming are skipped here (they cost a regex pass over the text on the per-prompt hot path).
 */
export function tokenize(text: string): string[] {
  return tokenizeNormalized((isAscii(text) ? text : text.normalize('NFKC')).toLowerCase());
}

/** True when every character is below U+0080: only then is the UTF-8 length the string length. */
export function isAscii(s: string): boolean {
  // Native, ~9× faster than a charCodeAt loop on prompt-sized text.
  return Buffer.byteLength(s, 'utf8') === s.length;
}

/** Tokens of text already passed through normalizeText (saves a second NFKC pass on the hot path). */
export function tokenizeNormalized(normalised: string): string[] {
  if (isAscii(normalised)) return tokenizeAscii(normalised);
  const out: string[] = [];
  // exec rather than matchAll: the same matches without an iterator per prompt.
  WORD.lastIndex = 0;
  for (let m = WORD.exec(normalised); m !== null; m = WORD.exec(normalised)) {
    const w = m[0];
    if (UNSPACED.test(w)) for (const ch of w) out.push(ch);
    else out.push(w);
  }
  return out;
}

// ASCII letters and digits: what \p{L} and \p{N} match below U+0080.
const ALNUM = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ALNUM[c] = /[\p{L}\p{N}]/u.test(ch) ? (/\p{L}/u.test(ch) ? 2 : 1) : 0;
}

/**
 * The WORD regex above, hand-written for ASCII text (most prompts): the Unicode regex iterator
 * cost more than every other per-event text step together. Same tokens: a run of letters and
 * digits, optionally followed by an apostrophe and a run of letters.
 */
function tokenizeAscii(s: string): string[] {
  const n = asciiTokenBounds(s);
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = s.slice(bounds[2 * k], bounds[2 * k + 1]);
  return out;
}

/** Start and end of each token found by the last asciiTokenBounds call (read before the next). */
export let bounds = new Int32Array(256);

/**
 * The tokens of ASCII text (as tokenize gives them, lower-cased or not: case does not change
 * where tokens are), as offsets in `bounds`; returns their number. No strings are made.
 */
export function asciiTokenBounds(s: string): number {
  const n = s.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    if (ALNUM[s.charCodeAt(i)] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && ALNUM[s.charCodeAt(i)] !== 0) i++;
    if (i + 1 < n && s.charCodeAt(i) === 39 && ALNUM[s.charCodeAt(i + 1)] === 2) {
      i += 2;
      while (i < n && ALNUM[s.charCodeAt(i)] === 2) i++;
    }
    if (2 * count + 2 > bounds.length) {
      const grown = new Int32Array(bounds.length * 2);
      grown.set(bounds);
      bounds = grown;
    }
    bounds[2 * count] = start;
    bounds[2 * count + 1] = i;
    count++;
  }
  return count;
}
