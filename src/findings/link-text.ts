import type { ClusterLink } from '../contracts/index.js';
import { requestShapeText, type EntityStats } from '../features/index.js';
import {
  elicitationSentenceKey,
  elicitingSentences,
  maskedTokens,
  normalizeText,
  readableTokens,
  templateKeyText,
} from '../text/index.js';

// An eliciting sentence longer than this is shown cut; the wrapper is what the holders share.
const WRAPPER_TOKENS = 24;

/**
 * Cluster links with `text`: what a fingerprinted value reads as. Template and elicitation
 * wrapper keys are fingerprints of masked text, so their words are recovered from a member's
 * sample prompt that carries the same key (re-computed, so a cut or unrelated sample never
 * labels a key); request shapes are spelled out. Values with no recoverable text keep none.
 */
export function withLinkText(
  links: readonly ClusterLink[],
  members: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
): ClusterLink[] {
  return links.map((l) => {
    const text =
      l.kind === 'request_shape'
        ? requestShapeText(l.value)
        : l.kind === 'template'
          ? fromSamples(members, accounts, (p) => templateKeyText(l.value, p))
          : l.kind === 'elicitation_wrapper'
            ? fromSamples(members, accounts, (p) => wrapperText(l.value, p))
            : null;
    return text ? { ...l, text } : l;
  });
}

function fromSamples(
  members: readonly string[],
  accounts: ReadonlyMap<string, EntityStats>,
  read: (prompt: string) => string | null,
): string | null {
  for (const id of members) {
    for (const s of accounts.get(id)?.samples.items ?? []) {
      const text = read(s.prompt);
      if (text) return text;
    }
  }
  return null;
}

function wrapperText(key: string, prompt: string): string | null {
  const normalised = normalizeText(prompt);
  if (elicitationSentenceKey(normalised) !== key) return null;
  const [sentence] = elicitingSentences(normalised);
  if (!sentence) return null;
  const tokens = maskedTokens(sentence);
  const shown = readableTokens(tokens.slice(0, WRAPPER_TOKENS));
  return tokens.length > WRAPPER_TOKENS ? `${shown} …` : shown;
}
