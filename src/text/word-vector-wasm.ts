import { align16, instantiate } from './wasm-module.js';

/**
 * The weighted sum of word vectors (one per new prompt: ~30 tokens × 100 dimensions) in
 * WebAssembly SIMD, two dimensions at a time, with the JavaScript loop's arithmetic exactly: each
 * step is the float32 sum rounded from float64, out[d] = f32(out[d] + w · v[d]), tokens in order.
 */

// (func (param n rowsOff wOff vecOff outOff rowBytes) (local j q base i32) (local wv v128)
//   for j in 0..n:
//     wv = splat(f64 weight[j]); base = vecOff + rows[j] * rowBytes
//     for q in 0..rowBytes step 8:   ;; two float32 dimensions
//       store64(outOff + q, demote(promote(load64(outOff + q)) + promote(load64(base + q)) * wv)))
// prettier-ignore
const CODE = [
  // locals: 3 × i32 (j = 6, q = 7, base = 8), 1 × v128 (wv = 9)
  0x02, 0x03, 0x7f, 0x01, 0x7b,
  0x02, 0x40, // block $none
  0x20, 0x00, 0x45, 0x0d, 0x00, // br_if $none (n == 0)
  0x41, 0x00, 0x21, 0x06, // j = 0 (a byte offset into rows, step 4)
  0x03, 0x40, // loop $tokens
  // wv = splat(f64 at wOff + 2j)
  0x20, 0x02, 0x20, 0x06, 0x41, 0x01, 0x74, 0x6a, 0x2b, 0x03, 0x00, 0xfd, 0x14, 0x21, 0x09,
  // base = vecOff + rows[j] * rowBytes
  0x20, 0x03, 0x20, 0x01, 0x20, 0x06, 0x6a, 0x28, 0x02, 0x00, 0x20, 0x05, 0x6c, 0x6a, 0x21, 0x08,
  0x41, 0x00, 0x21, 0x07, // q = 0
  0x03, 0x40, // loop $dims
  0x20, 0x04, 0x20, 0x07, 0x6a, // store address outOff + q
  0x20, 0x04, 0x20, 0x07, 0x6a, 0xfd, 0x5d, 0x03, 0x00, 0xfd, 0x5f, // promote(load64_zero(outOff + q))
  0x20, 0x08, 0x20, 0x07, 0x6a, 0xfd, 0x5d, 0x03, 0x00, 0xfd, 0x5f, // promote(load64_zero(base + q))
  0x20, 0x09, 0xfd, 0xf2, 0x01, // f64x2.mul by wv
  0xfd, 0xf0, 0x01, // f64x2.add
  0xfd, 0x5e, // f32x4.demote_f64x2_zero
  0xfd, 0x5b, 0x03, 0x00, 0x00, // v128.store64_lane 0
  // q += 8; continue while q < rowBytes
  0x20, 0x07, 0x41, 0x08, 0x6a, 0x22, 0x07, 0x20, 0x05, 0x49, 0x0d, 0x00,
  0x0b, // end loop $dims
  // j += 4; continue while j < 4n
  0x20, 0x06, 0x41, 0x04, 0x6a, 0x22, 0x06, 0x20, 0x00, 0x41, 0x02, 0x74, 0x49, 0x0d, 0x00,
  0x0b, // end loop $tokens
  0x0b, // end block $none
  0x0b, // end func
];

/** Word vectors and their weights in WebAssembly memory, with the summing function. */
export class WasmWordSum {
  /** The table, as views on the module's memory (the caller can drop its own copy). */
  readonly weights: Float32Array;
  readonly vectors: Float32Array;
  private readonly run: (...args: number[]) => void;
  private readonly rows: Int32Array;
  private readonly rowWeights: Float64Array;
  private readonly out: Float32Array;
  private readonly offsets: { rows: number; w: number; vec: number; out: number };

  private constructor(
    rowCount: number,
    private readonly dims: number,
    private readonly maxTokens: number,
  ) {
    // Layout: vectors, table weights, output, then the rows and weights of one call.
    const vec = 0;
    const tableWeights = align16(rowCount * dims * 4);
    const out = tableWeights + align16(rowCount * 4);
    const rows = out + align16(dims * 4);
    const w = rows + align16(maxTokens * 4);
    const wasm = instantiate(CODE, 6, w + maxTokens * 8);
    if (!wasm) throw new Error('WebAssembly unavailable');
    this.run = wasm.run;
    const buffer = wasm.memory.buffer;
    this.vectors = new Float32Array(buffer, vec, rowCount * dims);
    this.weights = new Float32Array(buffer, tableWeights, rowCount);
    this.out = new Float32Array(buffer, out, dims);
    this.rows = new Int32Array(buffer, rows, maxTokens);
    this.rowWeights = new Float64Array(buffer, w, maxTokens);
    this.offsets = { rows, w, vec, out };
  }

  /** Null where WebAssembly SIMD is unavailable or the dimension count is odd. */
  static create(weights: Float32Array, vectors: Float32Array, dims: number): WasmWordSum | null {
    const sum = WasmWordSum.allocate(weights.length, dims);
    sum?.vectors.set(vectors);
    sum?.weights.set(weights);
    return sum;
  }

  /**
   * A summer with a zeroed table of `rowCount` words, for the caller to fill through `weights`
   * and `vectors` (the table file is read straight into the module's memory: no 40 MB copy).
   */
  static allocate(rowCount: number, dims: number): WasmWordSum | null {
    if (dims % 2 !== 0) return null;
    try {
      return new WasmWordSum(rowCount, dims, 4096);
    } catch {
      return null;
    }
  }

  /**
   * Adds weights[row] · vectors[row] for each row, in order, to `out` (read and written as
   * float32, like the JavaScript loop). Rows beyond one call's capacity go in further calls.
   */
  addRows(rows: readonly number[], out: Float32Array): void {
    this.out.set(out);
    for (let start = 0; start < rows.length; start += this.maxTokens) {
      const n = Math.min(this.maxTokens, rows.length - start);
      for (let j = 0; j < n; j++) {
        const row = rows[start + j]!;
        this.rows[j] = row;
        this.rowWeights[j] = this.weights[row]!;
      }
      const o = this.offsets;
      this.run(n, o.rows, o.w, o.vec, o.out, this.dims * 4);
    }
    out.set(this.out);
  }
}
