import { normalizeForMatch, type Canary } from './generator.js';

/** Share of the canary's word 4-grams that must reappear for a paraphrase-tolerant match. */
const SHINGLE_THRESHOLD = 0.8;

export interface CanaryMatch {
  found: boolean;
  /** 'marker' when the coined name came back, 'shingles' when most of the sentence did. */
  by: 'marker' | 'shingles' | null;
  coverage: number;
}

/**
 * Whether a text carries a canary. The coined name alone is enough (it is rare by construction);
 * otherwise 80% of the sentence's word 4-grams must be present, which tolerates a student that
 * re-cases, re-punctuates or slightly rewords but not one that merely shares common words.
 */
export function matchCanary(
  canary: Canary,
  text: string,
  normalizedText = normalizeForMatch(text),
): CanaryMatch {
  const padded = ` ${normalizedText} `;
  if (padded.includes(` ${canary.marker} `)) return { found: true, by: 'marker', coverage: 1 };
  const shingles = wordShingles(normalizeForMatch(canary.text), 4);
  if (shingles.length === 0) return { found: false, by: null, coverage: 0 };
  let present = 0;
  for (const s of shingles) if (padded.includes(` ${s} `)) present++;
  const coverage = present / shingles.length;
  return coverage >= SHINGLE_THRESHOLD
    ? { found: true, by: 'shingles', coverage }
    : { found: false, by: null, coverage };
}

function wordShingles(normalized: string, n: number): string[] {
  const words = normalized.split(' ').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}
