import { fingerprint64 } from './hash.js';
import { tokenize } from './normalize.js';

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
  let masked = text;
  for (const [re, slot, canMatch] of SLOT_PATTERNS) if (canMatch(masked)) masked = masked.replace(re, slot);
  return tokenize(masked.includes('⟩') ? masked.replace(/⟨(\w+)⟩/gu, 'slot$1') : masked);
}

export const TEMPLATE_EDGE_TOKENS = 5;

export interface TemplateKeys {
  /** Skeleton of the opening: the first tokens, slots masked. */
  prefix: string | null;
  /** Skeleton of the closing: the last tokens, slots masked. */
  suffix: string | null;
  /** Whole masked prompt, for short prompts and exact re-use. */
  whole: string;
}

/**
 * Prompts built from one template share an opening or a closing around a variable slot
 * (`<wrapper> {task}` or `{task} <wrapper>`), or are whole-text identical once numbers and
 * quotes are masked. Keys are fingerprints, so they can be counted in bounded sketches and
 * compared across accounts and organisations without revealing the text.
 */
export function templateKeys(text: string): TemplateKeys {
  const t = maskedTokens(text);
  const whole = fingerprint64(t.join(' '));
  if (t.length < TEMPLATE_EDGE_TOKENS * 2) return { prefix: null, suffix: null, whole };
  return {
    prefix: fingerprint64('^' + t.slice(0, TEMPLATE_EDGE_TOKENS).join(' ')),
    suffix: fingerprint64(t.slice(-TEMPLATE_EDGE_TOKENS).join(' ') + '$'),
    whole,
  };
}

/** Human-readable skeleton, e.g. "think step by step before … ⟨*⟩", for evidence and reports. */
export function templateSkeleton(text: string): string {
  const t = maskedTokens(text);
  if (t.length < TEMPLATE_EDGE_TOKENS * 2) return t.join(' ');
  return `${t.slice(0, TEMPLATE_EDGE_TOKENS).join(' ')} ⟨*⟩ ${t.slice(-TEMPLATE_EDGE_TOKENS).join(' ')}`;
}
