import type { ApiEvent } from '../schema/index.js';
import {
  TEMPLATE_EDGE_TOKENS,
  lshBandKeys,
  maskedTokens,
  minhashSignature,
  signatureToHex,
  templateKeys,
} from '../text/index.js';

/** The user's words in one request (all user turns), the part templates and phrasings live in. */
export function userPrompt(event: ApiEvent): string {
  return event.request.messages
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join(' ')))
    .join('\n');
}

export interface TemplateFingerprint {
  /** Exact template keys (prefix / suffix / whole skeleton fingerprints) from the text module. */
  keys: string[];
  /** MinHash of the template's masked edge tokens, hex. */
  minhash: string;
  lshBandKeys: string[];
  skeleton: string;
}

/**
 * A prompt's template fingerprint: the masked opening and closing tokens (where the wrapper
 * lives; the task in the middle varies), hashed with MinHash so near-identical templates match
 * by LSH across organisations without the text leaving.
 */
export function templateFingerprint(text: string): TemplateFingerprint {
  const t = maskedTokens(text);
  const edges =
    t.length < TEMPLATE_EDGE_TOKENS * 2
      ? t
      : [...t.slice(0, TEMPLATE_EDGE_TOKENS), '⟨*⟩', ...t.slice(-TEMPLATE_EDGE_TOKENS)];
  const sig = minhashSignature(edges);
  const k = templateKeys(text);
  return {
    keys: [k.prefix, k.suffix].filter((x): x is string => x !== null),
    minhash: signatureToHex(sig),
    lshBandKeys: lshBandKeys(sig),
    skeleton: edges.join(' '),
  };
}

const ELICITATION =
  /\b(step[- ]by[- ]step|show (?:all )?(?:your|the) (?:work|reasoning|thinking)|chain[- ]of[- ]thought|think(?:ing)? (?:aloud|out loud|carefully)|explain (?:your|the) reasoning|reasoning trace|full reasoning|internal monologue|before (?:you )?answer)/i;

/**
 * Elicitation phrasings: the sentence asking for reasoning traces, lower-cased with numbers and
 * quotes masked. Generic instructions, not a customer's prompt, but still scrubbed before leaving.
 */
export function elicitationPhrase(text: string): string | undefined {
  for (const sentence of text.split(/(?<=[.!?\n])\s+/)) {
    if (!ELICITATION.test(sentence)) continue;
    const words = maskedTokens(sentence);
    if (words.length === 0 || words.length > 30) continue;
    return words.join(' ');
  }
  return undefined;
}
