import { describe, expect, it } from 'vitest';
import { seededRandom } from '../text/index.js';
import { WasmProjection } from './kernel-projection-wasm.js';

/** The JavaScript projection the WebAssembly one replaces (RandomFourierFeatures before it). */
function reference(w: Float32Array, dims: number, idx: Int32Array, val: Float32Array): Float64Array {
  const out = new Float64Array(dims);
  for (let j = 0; j < idx.length; j++) {
    const row = idx[j]! * dims;
    const v = val[j]!;
    for (let d = 0; d < dims; d++) out[d]! += v * w[row + d]!;
  }
  return out;
}

describe('WebAssembly kernel projection', () => {
  it.each([
    ['dense word vectors', 100, 96, 100],
    ['sparse hashed n-grams', 1024, 96, 37],
    ['no input', 100, 96, 0],
    ['eight dimensions', 30, 8, 30],
  ])('gives the same bits as the JavaScript loop (%s)', (_name, inputs, dims, nnz) => {
    const rnd = seededRandom(7);
    const w = Float32Array.from({ length: inputs * dims }, () => rnd() * 4 - 2);
    const projection = WasmProjection.create(w, inputs, dims);
    expect(projection).not.toBeNull();
    const scratch = new Float64Array(dims);
    for (let trial = 0; trial < 50; trial++) {
      const idx = Int32Array.from({ length: nnz }, (_, j) =>
        nnz === inputs ? j : Math.floor(rnd() * inputs),
      );
      const val = Float32Array.from({ length: nnz }, () => rnd() - 0.5);
      projection!.run(idx, val, scratch);
      expect(Array.from(scratch)).toEqual(Array.from(reference(w, dims, idx, val)));
    }
  });

  it('declines output dimensions that are not a multiple of eight (it works in groups of eight)', () => {
    expect(WasmProjection.create(new Float32Array(10), 2, 5)).toBeNull();
    expect(WasmProjection.create(new Float32Array(20), 2, 10)).toBeNull();
  });
});
