import type { Embedder } from './embedder.js';
import { fmix32 } from './hash.js';
import { tokenize } from './normalize.js';

/** A sparse vector: parallel index and value arrays, L2-normalised. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

/**
 * Hashed word uni- and bigram features with signed hashing (the "hashing trick"): no
 * vocabulary, no download, any language, and cheap enough for every event on the hot path.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly name = 'hashed-ngrams';
  constructor(readonly dimensions = 1024) {}

  embedSparse(text: string): SparseVector {
    return this.sparseFromTokens(tokenize(text));
  }

  // Scratch for sparseFromTokens: dense accumulators and the touched indices in first-touch
  // order (the order the former Map kept, so sums and vectors stay bit-identical).
  private acc: Float64Array | null = null;
  private seen: Uint8Array | null = null;
  private touched: Int32Array | null = null;

  /**
   * Hot path (every event): hashes are computed without building the bigram strings (FNV-1a is
   * sequential, so the bigram "a\u0001b" continues the state after "a"), and accumulated in
   * reusable typed arrays instead of a Map. Same vector as hashing each feature string.
   */
  sparseFromTokens(tokens: readonly string[]): SparseVector {
    const dims = this.dimensions;
    if (this.acc === null || this.acc.length !== dims) {
      this.acc = new Float64Array(dims);
      this.seen = new Uint8Array(dims);
      this.touched = new Int32Array(dims);
    }
    const acc = this.acc;
    const seen = this.seen!;
    const touched = this.touched!;
    let nTouched = 0;
    const add = (h: number, weight: number): void => {
      const i = h % dims;
      if (seen[i] === 0) {
        seen[i] = 1;
        touched[nTouched++] = i;
      }
      acc[i]! += (h >>> 31) & 1 ? -weight : weight;
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let h = (0x811c9dc5 ^ 17) >>> 0;
      for (let k = 0; k < t.length; k++) h = Math.imul(h ^ t.charCodeAt(k), 0x01000193);
      add(fmix32(h), 1);
      if (i + 1 < tokens.length) {
        const u = tokens[i + 1]!;
        h = Math.imul(h ^ 1, 0x01000193);
        for (let k = 0; k < u.length; k++) h = Math.imul(h ^ u.charCodeAt(k), 0x01000193);
        add(fmix32(h), 0.7);
      }
    }
    const idx = new Int32Array(nTouched);
    const val = new Float32Array(nTouched);
    let norm = 0;
    for (let k = 0; k < nTouched; k++) {
      const i = touched[k]!;
      const v = acc[i]!;
      idx[k] = i;
      val[k] = v;
      norm += v * v;
      acc[i] = 0;
      seen[i] = 0;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let j = 0; j < val.length; j++) val[j]! *= inv;
    }
    return { idx, val };
  }

  embedOne(text: string): Float32Array {
    const { idx, val } = this.embedSparse(text);
    const out = new Float32Array(this.dimensions);
    for (let j = 0; j < idx.length; j++) out[idx[j]!] = val[j]!;
    return out;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }
}
