/** Canonical form for comparing prompts: NFKC, lower case, one space between words. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

// Scripts written without spaces: each character is a token, so CJK prompts still get features.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Word tokens of raw text; unspaced scripts split into single characters. */
export function tokenize(text: string): string[] {
  return tokenizeNormalized(normalizeText(text));
}

/** Tokens of text already passed through normalizeText (saves a second NFKC pass on the hot path). */
export function tokenizeNormalized(normalised: string): string[] {
  const out: string[] = [];
  for (const m of normalised.matchAll(WORD)) {
    const w = m[0];
    if (UNSPACED.test(w)) for (const ch of w) out.push(ch);
    else out.push(w);
  }
  return out;
}
