import { describe, expect, it } from 'vitest';
import { seededRandom } from './hash.js';
import { WasmWordSum } from './word-vector-wasm.js';

const DIMS = 100;

/** The JavaScript loop the WebAssembly sum replaces (WordVectorEmbedder before it). */
function reference(weights: Float32Array, vectors: Float32Array, rows: number[], out: Float32Array): void {
  for (const i of rows) {
    const w = weights[i]!;
    const base = i * DIMS;
    for (let d = 0; d < DIMS; d++) out[d]! += w * vectors[base + d]!;
  }
}

describe('WebAssembly word-vector sum', () => {
  it.each([0, 1, 30, 5000])('gives the same float32 bits as the JavaScript loop (%i tokens)', (n) => {
    const rnd = seededRandom(11);
    const words = 500;
    const weights = Float32Array.from({ length: words }, () => rnd());
    const vectors = Float32Array.from({ length: words * DIMS }, () => rnd() * 2 - 1);
    const sum = WasmWordSum.create(weights, vectors, DIMS);
    expect(sum).not.toBeNull();
    for (let trial = 0; trial < 20; trial++) {
      const rows = Array.from({ length: n }, () => Math.floor(rnd() * words));
      const start = Float32Array.from({ length: DIMS }, () => (trial % 2 ? rnd() : 0));
      const expected = Float32Array.from(start);
      reference(weights, vectors, rows, expected);
      const got = Float32Array.from(start);
      sum!.addRows(rows, got);
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
  });
});
