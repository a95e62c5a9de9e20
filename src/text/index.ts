export { normalizeText, tokenizeNormalized } from './normalize.js';
export { hash32, fmix32, fingerprint64, seededRandom } from './hash.js';
export {
  minhashSignature,
  lshBandKeys,
  estimateJaccard,
  signatureToHex,
  signatureFromHex,
} from './minhash.js';
export {
  maskedTokens,
  templateKeys,
  templateKeyText,
  templateSkeleton,
  readableTokens,
  TEMPLATE_EDGE_TOKENS,
  type TemplateKeys,
} from './template.js';
export { type Embedder } from './embedder.js';
export { HashedNgramEmbedder, type SparseVector } from './hashed-embedder.js';
export { WordVectorEmbedder, prepareWordVectors } from './word-vector-embedder.js';
export { TOPIC_NAMES, topicMask } from './topics.js';
export { TextCache } from './text-cache.js';
export { align16, instantiate } from './wasm-module.js';
export { inPrefix, ipFamily, ipPrefix } from './ip-address.js';
export {
  asksForReasoningTrace,
  elicitationSentenceKey,
  elicitingSentences,
  STRONG_PHRASES,
} from './elicitation-phrases.js';
