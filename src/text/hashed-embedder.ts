import type { Embedder } from './embedder.js';
import { hash32 } from './hash.js';
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

  sparseFromTokens(tokens: readonly string[]): SparseVector {
    const acc = new Map<number, number>();
    const add = (feature: string, weight: number): void => {
      const h = hash32(feature, 17);
      const i = h % this.dimensions;
      const sign = (h >>> 31) & 1 ? -1 : 1;
      acc.set(i, (acc.get(i) ?? 0) + sign * weight);
    };
    for (let i = 0; i < tokens.length; i++) {
      add(tokens[i]!, 1);
      if (i + 1 < tokens.length) add(`${tokens[i]}\u0001${tokens[i + 1]}`, 0.7);
    }
    const idx = new Int32Array(acc.size);
    const val = new Float32Array(acc.size);
    let k = 0;
    let norm = 0;
    for (const [i, v] of acc) {
      idx[k] = i;
      val[k] = v;
      norm += v * v;
      k++;
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
