import type { ApiEvent } from '../../contracts/index.js';
import {
  TEMPLATE_EDGE_TOKENS,
  asksForReasoningTrace,
  elicitingSentences,
  lshBandKeys,
  maskedTokens,
  minhashSignature,
  normalizeText,
  signatureToHex,
} from '../../text/index.js';

/** The user's words in one request (all user turns), the part templates and phrasings live in. */
export function userPrompt(event: ApiEvent): string {
  return event.request.messages
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join(' ')))
    .join('\n');
}

export interface TemplateFingerprint {
  /** Which edge of the prompt the wrapper sits on. */
  edge: 'prefix' | 'suffix' | 'whole';
  /** MinHash of the edge's masked tokens, hex. */
  minhash: string;
  lshBandKeys: string[];
  skeleton: string;
}

function fingerprintOf(edge: TemplateFingerprint['edge'], tokens: string[]): TemplateFingerprint {
  const sig = minhashSignature(tokens);
  const skeleton =
    edge === 'prefix'
      ? `${tokens.join(' ')} ⟨*⟩`
      : edge === 'suffix'
        ? `⟨*⟩ ${tokens.join(' ')}`
        : tokens.join(' ');
  return { edge, minhash: signatureToHex(sig), lshBandKeys: lshBandKeys(sig), skeleton };
}

/**
 * A prompt's template fingerprints: campaigns wrap varying tasks in a fixed instruction placed
 * before or after the task, so the masked opening and closing tokens are fingerprinted
 * separately (short prompts whole). MinHash + LSH lets near-identical wrappers match across
 * organisations without the text leaving.
 */
export function templateFingerprints(text: string): TemplateFingerprint[] {
  const t = maskedTokens(text);
  if (t.length === 0) return [];
  if (t.length < TEMPLATE_EDGE_TOKENS * 2) return [fingerprintOf('whole', t)];
  return [
    fingerprintOf('prefix', t.slice(0, TEMPLATE_EDGE_TOKENS)),
    fingerprintOf('suffix', t.slice(-TEMPLATE_EDGE_TOKENS)),
  ];
}

// Longer "sentences" are prompts without sentence ends, not a reusable instruction worth sharing.
const MAX_PHRASE_WORDS = 30;

/**
 * Elicitation phrasings: the sentence asking for a reasoning trace (the same definition detection
 * uses: any language, a procedure request is not one), as masked tokens. Generic instructions,
 * not a customer's prompt, but still scrubbed before leaving.
 */
export function elicitationPhrase(text: string): string | undefined {
  const normalised = normalizeText(text);
  if (!asksForReasoningTrace(normalised)) return undefined;
  for (const sentence of elicitingSentences(normalised)) {
    const words = maskedTokens(sentence);
    if (words.length > 0 && words.length <= MAX_PHRASE_WORDS) return words.join(' ');
  }
  return undefined;
}
