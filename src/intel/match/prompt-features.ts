import type { ApiEvent } from '../../contracts/index.js';
import {
  TEMPLATE_EDGE_TOKENS,
  lshBandKeys,
  maskedTokens,
  minhashSignature,
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
