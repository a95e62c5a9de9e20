/** Canonical form for comparing prompts: NFKC, lower case, one space between words. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

// Scripts written without spaces: each character is a token, so CJK prompts still get features.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Word tokens of normalised text; unspaced scripts split into single characters. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(text).matchAll(WORD)) {
    const w = m[0];
    if (UNSPACED.test(w)) for (const ch of w) out.push(ch);
    else out.push(w);
  }
  return out;
}
