import { fingerprint64, fingerprintWords } from './hash.js';
import { asciiTokenBounds, bounds, isAscii, tokenize } from './normalize.js';

// Each pattern with a test that is true whenever the pattern can match: most prompts have no
// code, URL, e-mail or quote, and running the regex replace on them anyway cost more than the
// rest of template mining (per event, on the hot path).
const SLOT_PATTERNS: [RegExp, string, (text: string) => boolean][] = [
  [/```[\s\S]*?```/gu, ' ⟨code⟩ ', (t) => t.includes('```')],
  [/https?:\/\/\S+/giu, ' ⟨url⟩ ', (t) => t.includes('://')],
  [/[\w.+-]+@[\w-]+\.[\w.-]+/gu, ' ⟨email⟩ ', (t) => t.includes('@')],
  [
    /"[^"\n]{1,400}"|“[^”\n]{1,400}”|'[^'\n]{3,400}'/gu,
    ' ⟨quote⟩ ',
    (t) => t.includes('"') || t.includes('“') || t.includes("'"),
  ],
  [/\b\d[\d.,:/-]*\b/gu, ' ⟨num⟩ ', hasDigit],
];

function hasDigit(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Text with variable slots (numbers, quotes, URLs, code, e-mails) masked, as tokens. */
export function maskedTokens(text: string): string[] {
  // Hot path (every new prompt): most prompts are ASCII without code, URLs or e-mails, and for
  // them the quote and number patterns are matched by hand (the Unicode regex replacements cost
  // more than the rest of template mining together). Same tokens (tested against the regexes).
  if (maskableByHand(text)) return tokenize(maskAscii(text));
  return maskedTokensByRegex(text);
}

/** ASCII without code, URLs or e-mails: only the quote and number patterns can match. */
const maskableByHand = (text: string): boolean =>
  isAscii(text) && !text.includes('```') && !text.includes('://') && !text.includes('@');
const maskAscii = (text: string): string => maskNumbersAscii(maskQuotesAscii(text));

/** maskedTokens by the slot patterns themselves (any text). */
export function maskedTokensByRegex(text: string): string[] {
  let masked = text;
  for (const [re, slot, canMatch] of SLOT_PATTERNS) if (canMatch(masked)) masked = masked.replace(re, slot);
  return tokenize(masked.includes('⟩') ? masked.replace(/⟨(\w+)⟩/gu, 'slot$1') : masked);
}

/**
 * The quote pattern's replacement on ASCII text: a run of 1-400 characters between double
 * quotes, or 3-400 between single quotes, on one line, leftmost first. ' slotquote ' is what
 * ' ⟨quote⟩ ' becomes once the slot marks are rewritten, and both are spaces at their edges, so
 * the number pattern sees the same word boundaries after either.
 */
function maskQuotesAscii(t: string): string {
  if (!t.includes('"') && !t.includes("'")) return t;
  let out = '';
  let from = 0;
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c !== 34 && c !== 39) continue;
    // The first quote of the same kind or line end after it decides (the runs exclude both).
    let j = i + 1;
    while (j < n && t.charCodeAt(j) !== c && t.charCodeAt(j) !== 10) j++;
    const inner = j - i - 1;
    if (j < n && t.charCodeAt(j) === c && inner >= (c === 34 ? 1 : 3) && inner <= 400) {
      out += t.slice(from, i) + ' slotquote ';
      from = j + 1;
      i = j;
    }
  }
  return from === 0 ? t : out + t.slice(from);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean =>
  isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
// [\d.,:/-]
const isNumberChar = (c: number): boolean =>
  isDigit(c) || c === 46 || c === 44 || c === 58 || c === 47 || c === 45;

/**
 * The number pattern /\b\d[\d.,:/-]*\b/ replaced on ASCII text: a digit at a word boundary,
 * then the longest run of digits and separators that still ends at a word boundary.
 */
function maskNumbersAscii(t: string): string {
  if (!hasDigit(t)) return t;
  let out = '';
  let from = 0;
  const n = t.length;
  const word = (k: number): boolean => k >= 0 && k < n && isWordChar(t.charCodeAt(k));
  for (let i = 0; i < n; i++) {
    if (!isDigit(t.charCodeAt(i)) || word(i - 1)) continue;
    let e = i + 1;
    while (e < n && isNumberChar(t.charCodeAt(e))) e++;
    // Backtrack to the last end with a word boundary (at least the first digit).
    let k = e;
    while (k > i && word(k - 1) === word(k)) k--;
    if (k === i) continue;
    out += t.slice(from, i) + ' slotnum ';
    from = k;
    i = k - 1;
  }
  return from === 0 ? t : out + t.slice(from);
}

export const TEMPLATE_EDGE_TOKENS = 5;

export interface TemplateKeys {
  /** Skeleton of the opening: the first tokens, slots masked. */
  prefix: string | null;
  /** Skeleton of the closing: the last tokens, slots masked. */
  suffix: string | null;
}

/** A prompt too short to have an opening and a closing apart. */
const NO_TEMPLATE: TemplateKeys = Object.freeze({ prefix: null, suffix: null });

/**
 * Prompts built from one template share an opening or a closing around a variable slot
 * (`<wrapper> {task}` or `{task} <wrapper>`), numbers and quotes masked. Keys are fingerprints, so they can be counted in bounded sketches and
 * compared across accounts and organisations without revealing the text.
 */
export function templateKeys(text: string): TemplateKeys {
  if (maskableByHand(text)) {
    // Hot path (every new prompt): the same fingerprints from token offsets, with no token
    // strings or joined texts made.
    const masked = maskAscii(text);
    const n = asciiTokenBounds(masked);
    const b = bounds;
    if (n < TEMPLATE_EDGE_TOKENS * 2) return NO_TEMPLATE;
    return {
      prefix: fingerprintWords(masked, b, 0, TEMPLATE_EDGE_TOKENS, '^', ''),
      suffix: fingerprintWords(masked, b, n - TEMPLATE_EDGE_TOKENS, n, '', '$'),
    };
  }
  const t = maskedTokensByRegex(text);
  if (t.length < TEMPLATE_EDGE_TOKENS * 2) return NO_TEMPLATE;
  return {
    prefix: fingerprint64('^' + t.slice(0, TEMPLATE_EDGE_TOKENS).join(' ')),
    suffix: fingerprint64(t.slice(-TEMPLATE_EDGE_TOKENS).join(' ') + '$'),
  };
}

// Slot tokens as maskedTokens leaves them, and how a reader sees them.
const SLOT_WORDS: Record<string, string> = {
  slotcode: '{code}',
  sloturl: '{url}',
  slotemail: '{email}',
  slotquote: '{quote}',
  slotnum: '{number}',
};
const UNSPACED_CHAR = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]$/u;
const MAX_TOKEN_CHARS = 40;

/**
 * Tokens back into text a reader can take in: slots as {number}, {quote}…, and characters of
 * scripts written without spaces (CJK, Thai) joined without one, as they were written.
 */
export function readableTokens(tokens: readonly string[]): string {
  let out = '';
  let prevUnspaced = false;
  for (const raw of tokens) {
    const slot = SLOT_WORDS[raw];
    const t = slot ?? (raw.length > MAX_TOKEN_CHARS ? `${raw.slice(0, MAX_TOKEN_CHARS - 1)}…` : raw);
    const unspaced = slot === undefined && UNSPACED_CHAR.test(t);
    if (out && !(unspaced && prevUnspaced)) out += ' ';
    out += t;
    prevUnspaced = unspaced;
  }
  return out;
}

/** Human-readable skeleton, e.g. "think step by step before … {…} … {number}", for evidence and reports. */
export function templateSkeleton(text: string): string {
  const t = maskedTokens(text);
  if (t.length < TEMPLATE_EDGE_TOKENS * 2) return readableTokens(t);
  return `${readableTokens(t.slice(0, TEMPLATE_EDGE_TOKENS))} {…} ${readableTokens(t.slice(-TEMPLATE_EDGE_TOKENS))}`;
}

/**
 * The words behind a template key ("prefix:<fingerprint>" or "suffix:<fingerprint>") as a reader
 * sees them, e.g. "{…} show your reasoning step by step", from a prompt that carries the key;
 * null when the prompt does not (it was cut short, or is another template's). Only the template's
 * edge words, slots masked: what the key's holders share, not what any one of them asked.
 */
export function templateKeyText(key: string, prompt: string): string | null {
  const colon = key.indexOf(':');
  const edge = key.slice(0, colon);
  const fingerprint = key.slice(colon + 1);
  if (edge !== 'prefix' && edge !== 'suffix') return null;
  if (templateKeys(prompt)[edge] !== fingerprint) return null;
  const t = maskedTokens(prompt);
  return edge === 'prefix'
    ? `${readableTokens(t.slice(0, TEMPLATE_EDGE_TOKENS))} {…}`
    : `{…} ${readableTokens(t.slice(-TEMPLATE_EDGE_TOKENS))}`;
}
