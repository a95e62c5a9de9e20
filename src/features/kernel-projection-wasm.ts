import { align16, instantiate } from '../text/index.js';

/**
 * The projection Wᵀx of the random Fourier features (one per new prompt: 100 × 96 multiply-adds
 * for word vectors, the costliest per-event step) in WebAssembly SIMD, two output dimensions per
 * instruction, eight at a time. Bit-identical to the JavaScript loop: each output dimension is the same float64
 * sum, 0 + v₀w₀ + v₁w₁ + … in input order, and WebAssembly neither fuses nor reorders float
 * operations. The function is ~250 bytes of code below (see text/wasm-module.ts).
 */

// (func (param n rowBytes idxOff valOff wOff outOff) (local p j row i32) (local a0 a1 a2 a3 v v128)
//   for p in 0..rowBytes step 64:           ;; eight float64 output dimensions at a time
//     a0 = a1 = a2 = a3 = 0
//     for j in 0..n:
//       v = splat(val[j]); row = wOff + idx[j] * rowBytes + p
//       a0 += v * load128(row); a1 += v * load128(row + 16); a2 += …(row + 32); a3 += …(row + 48)
//     store128(outOff + p, a0) … store128(outOff + p + 48, a3)
// Four independent sums per term: one sum's additions wait on each other (float adds take
// several cycles), four interleaved ones keep the unit busy, ~2.5× faster than one pair at a time.
const lane = (acc: number, offset: number): number[] => [
  0x20,
  acc,
  0x20,
  0x0d,
  0x20,
  0x08,
  0xfd,
  0x00,
  0x03,
  offset, // acc, v, load128(row + offset)
  0xfd,
  0xf2,
  0x01, // f64x2.mul
  0xfd,
  0xf0,
  0x01, // f64x2.add
  0x21,
  acc, // acc =
];
const store = (acc: number, offset: number): number[] => [
  0x20,
  0x05,
  0x20,
  0x06,
  0x6a,
  0x20,
  acc,
  0xfd,
  0x0b,
  0x03,
  offset, // store128(outOff + p + offset, acc)
];
// prettier-ignore
const CODE = [
  // locals: 3 × i32 (p = 6, j = 7, row = 8), 5 × v128 (a0..a3 = 9..12, v = 13)
  0x02, 0x03, 0x7f, 0x05, 0x7b,
  // p = 0
  0x41, 0x00, 0x21, 0x06,
  0x03, 0x40, // loop $groups
  // a0 = a1 = a2 = a3 = v128.const 0
  0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x22, 0x09, 0x22, 0x0a, 0x22, 0x0b, 0x21, 0x0c,
  // j = 0 (a byte offset into idx, step 4)
  0x41, 0x00, 0x21, 0x07,
  0x02, 0x40, // block $none
  0x20, 0x00, 0x45, 0x0d, 0x00, // br_if $none (n == 0)
  0x03, 0x40, // loop $terms
  // v = splat(val[j]): f64 at valOff + 2j
  0x20, 0x03, 0x20, 0x07, 0x41, 0x01, 0x74, 0x6a, 0x2b, 0x03, 0x00, 0xfd, 0x14, 0x21, 0x0d,
  // row = wOff + idx[j] * rowBytes + p
  0x20, 0x04, 0x20, 0x02, 0x20, 0x07, 0x6a, 0x28, 0x02, 0x00, 0x20, 0x01, 0x6c, 0x6a, 0x20, 0x06, 0x6a, 0x21, 0x08,
  ...lane(0x09, 0x00),
  ...lane(0x0a, 0x10),
  ...lane(0x0b, 0x20),
  ...lane(0x0c, 0x30),
  // j += 4; continue while j < 4n
  0x20, 0x07, 0x41, 0x04, 0x6a, 0x22, 0x07, 0x20, 0x00, 0x41, 0x02, 0x74, 0x49, 0x0d, 0x00,
  0x0b, // end loop $terms
  0x0b, // end block $none
  ...store(0x09, 0x00),
  ...store(0x0a, 0x10),
  ...store(0x0b, 0x20),
  ...store(0x0c, 0x30),
  // p += 64; continue while p < rowBytes
  0x20, 0x06, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0x06, 0x20, 0x01, 0x49, 0x0d, 0x00,
  0x0b, // end loop $groups
  0x0b, // end func
];

/** A projection for one weight matrix; null where WebAssembly SIMD is unavailable. */
export class WasmProjection {
  private readonly project: (...args: number[]) => void;
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private readonly out: Float64Array;
  private readonly idxOff: number;
  private readonly valOff: number;
  private readonly wOff: number;
  private readonly outOff: number;

  private constructor(
    w: Float32Array,
    private readonly inputs: number,
    private readonly dims: number,
  ) {
    // Layout: weights (float64, row-major), output, values, indexes; all 16-byte aligned.
    this.wOff = 0;
    this.outOff = w.length * 8;
    this.valOff = this.outOff + align16(dims * 8);
    this.idxOff = this.valOff + align16(inputs * 8);
    const wasm = instantiate(CODE, 6, this.idxOff + align16(inputs * 4));
    if (!wasm) throw new Error('WebAssembly unavailable');
    this.project = wasm.run;
    const buffer = wasm.memory.buffer;
    new Float64Array(buffer, this.wOff, w.length).set(w);
    this.out = new Float64Array(buffer, this.outOff, dims);
    this.val = new Float64Array(buffer, this.valOff, inputs);
    this.idx = new Int32Array(buffer, this.idxOff, inputs);
  }

  static create(w: Float32Array, inputs: number, dims: number): WasmProjection | null {
    if (dims % 8 !== 0) return null;
    try {
      return new WasmProjection(w, inputs, dims);
    } catch {
      return null;
    }
  }

  /** scratch = Wᵀx for x given by `idx` and `val` (nnz entries, each index < inputs). */
  run(idx: Int32Array, val: Float32Array, scratch: Float64Array): void {
    const n = idx.length;
    if (n > this.inputs) throw new Error(`projection input has ${n} entries, over ${this.inputs}`);
    this.idx.set(idx);
    for (let j = 0; j < n; j++) this.val[j] = val[j]!;
    this.project(n, this.dims * 8, this.idxOff, this.valOff, this.wOff, this.outOff);
    scratch.set(this.out);
  }
}
