import { seededRandom, type SparseVector } from '../text/index.js';
import { WasmProjection } from './kernel-projection-wasm.js';

/**
 * Random Fourier features for a Gaussian kernel (Rahimi & Recht 2007): the mean feature vector
 * of an entity's prompts is its kernel mean embedding, so MMD between an entity and reference
 * traffic is the distance between two running means — O(D) memory per entity, streaming.
 */
export class RandomFourierFeatures {
  private readonly w: Float32Array;
  private readonly b: Float32Array;
  private readonly scale: number;
  private readonly wasm: WasmProjection | null;

  constructor(
    readonly inputDimensions: number,
    readonly dimensions = 128,
    bandwidth = 1,
    seed = 20261122,
  ) {
    const rnd = seededRandom(seed);
    const gauss = (): number => {
      const u = Math.max(rnd(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    };
    this.w = Float32Array.from({ length: inputDimensions * dimensions }, () => gauss() / bandwidth);
    this.b = Float32Array.from({ length: dimensions }, () => rnd() * 2 * Math.PI);
    this.scale = Math.sqrt(2 / dimensions);
    this.wasm = WasmProjection.create(this.w, inputDimensions, dimensions);
  }

  /** Adds φ(x) to `into` (a running sum); sparse input keeps this at nnz × D multiply-adds. */
  accumulate(x: SparseVector, into: Float64Array, scratch: Float64Array): void {
    this.project(x, scratch);
    const b = this.b;
    const scale = this.scale;
    for (let d = 0; d < this.dimensions; d++) into[d]! += scale * Math.cos(scratch[d]! + b[d]!);
  }

  /** φ(x) as a new vector: adding it to a sum gives the same bits as `accumulate`. */
  features(x: SparseVector, scratch: Float64Array): Float64Array {
    this.project(x, scratch);
    const b = this.b;
    const scale = this.scale;
    const out = new Float64Array(this.dimensions);
    for (let d = 0; d < this.dimensions; d++) out[d] = scale * Math.cos(scratch[d]! + b[d]!);
    return out;
  }

  /** scratch = Wᵀx, summed over x's entries in order. */
  private project(x: SparseVector, scratch: Float64Array): void {
    if (this.wasm) return this.wasm.run(x.idx, x.val, scratch);
    // Hot path (every event): fields read into locals once, so the inner loop is plain typed-array
    // arithmetic. The summation order per dimension is unchanged (bit-identical sums).
    const D = this.dimensions;
    const w = this.w;
    const idx = x.idx;
    const val = x.val;
    scratch.fill(0);
    for (let j = 0; j < idx.length; j++) {
      const row = idx[j]! * D;
      const v = val[j]!;
      for (let d = 0; d < D; d++) scratch[d]! += v * w[row + d]!;
    }
  }
}

/** Squared distance between two mean embeddings given as running sums and counts. */
export function meanDistanceSquared(sumA: Float64Array, nA: number, sumB: Float64Array, nB: number): number {
  let s = 0;
  for (let d = 0; d < sumA.length; d++) {
    const diff = sumA[d]! / nA - sumB[d]! / nB;
    s += diff * diff;
  }
  return s;
}
