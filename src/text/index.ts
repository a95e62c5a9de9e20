export { normalizeText, tokenize, tokenizeNormalized } from './normalize.js';
export { hash32, fmix32, fingerprint64, seededRandom } from './hash.js';
export {
  MINHASH_SIZE,
  LSH_BANDS,
  shingles,
  minhashSignature,
  lshBandKeys,
  estimateJaccard,
  signatureToHex,
  signatureFromHex,
} from './minhash.js';
export {
  maskedTokens,
  templateKeys,
  templateSkeleton,
  TEMPLATE_EDGE_TOKENS,
  type TemplateKeys,
} from './template.js';
export { type Embedder, l2normalize, cosine } from './embedder.js';
export { HashedNgramEmbedder, type SparseVector } from './hashed-embedder.js';
export { WordVectorEmbedder, prepareWordVectors } from './word-vector-embedder.js';
export { TOPIC_DOMAINS, TOPIC_NAMES, topicMask, popcount } from './topics.js';
export { TextCache } from './text-cache.js';
export { align16, instantiate, type WasmMemory } from './wasm-module.js';
export { inPrefix, ipFamily, ipPrefix } from './ip-address.js';
export { asksForReasoningTrace, elicitationSentenceKey, elicitingSentences } from './elicitation-phrases.js';
