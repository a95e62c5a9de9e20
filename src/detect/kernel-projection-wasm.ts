/**
 * The projection Wᵀx of the random Fourier features (one per new prompt: 100 × 96 multiply-adds
 * for word vectors, the costliest per-event step) in WebAssembly SIMD, two output dimensions per
 * instruction. Bit-identical to the JavaScript loop: each output dimension is the same float64
 * sum, 0 + v₀w₀ + v₁w₁ + … in input order, and WebAssembly neither fuses nor reorders float
 * operations. The module is 150 bytes, assembled below, so there is nothing to build or ship.
 */

// (func (param n rowBytes idxOff valOff wOff outOff) (local p j i32) (local acc v128)
//   for p in 0..rowBytes step 16:           ;; two float64 output dimensions at a time
//     acc = 0
//     for j in 0..n: acc += splat(val[j]) * load128(wOff + idx[j] * rowBytes + p)
//     store128(outOff + p, acc))
// prettier-ignore
const CODE = [
  // locals: 2 × i32 (p = 6, j = 7), 1 × v128 (acc = 8)
  0x02, 0x02, 0x7f, 0x01, 0x7b,
  // p = 0
  0x41, 0x00, 0x21, 0x06,
  0x03, 0x40, // loop $pairs
  // acc = v128.const 0
  0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x21, 0x08,
  // j = 0 (a byte offset into idx, step 4)
  0x41, 0x00, 0x21, 0x07,
  0x02, 0x40, // block $none
  0x20, 0x00, 0x45, 0x0d, 0x00, // br_if $none (n == 0)
  0x03, 0x40, // loop $terms
  0x20, 0x08, // acc
  // splat(val[j]): f64 at valOff + 2j
  0x20, 0x03, 0x20, 0x07, 0x41, 0x01, 0x74, 0x6a, 0x2b, 0x03, 0x00, 0xfd, 0x14,
  // load128(wOff + idx[j] * rowBytes + p)
  0x20, 0x04, 0x20, 0x02, 0x20, 0x07, 0x6a, 0x28, 0x02, 0x00, 0x20, 0x01, 0x6c, 0x6a, 0x20, 0x06, 0x6a,
  0xfd, 0x00, 0x03, 0x00,
  0xfd, 0xf2, 0x01, // f64x2.mul
  0xfd, 0xf0, 0x01, // f64x2.add
  0x21, 0x08, // acc =
  // j += 4; continue while j < 4n
  0x20, 0x07, 0x41, 0x04, 0x6a, 0x22, 0x07, 0x20, 0x00, 0x41, 0x02, 0x74, 0x49, 0x0d, 0x00,
  0x0b, // end loop $terms
  0x0b, // end block $none
  // store128(outOff + p, acc)
  0x20, 0x05, 0x20, 0x06, 0x6a, 0x20, 0x08, 0xfd, 0x0b, 0x03, 0x00,
  // p += 16; continue while p < rowBytes
  0x20, 0x06, 0x41, 0x10, 0x6a, 0x22, 0x06, 0x20, 0x01, 0x49, 0x0d, 0x00,
  0x0b, // end loop $pairs
  0x0b, // end func
];

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [0x01, 0x60, 0x06, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // (i32 × 6) -> ()
  ...section(3, [0x01, 0x00]),
  ...section(5, [0x01, 0x00, 0x01]), // one memory, 1 page to start
  ...section(7, [0x02, ...name('project'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
  ...section(10, [0x01, ...uleb(CODE.length), ...CODE]),
]);

// The few WebAssembly API types used here (the project's TypeScript libs do not declare them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: { project: Project; memory: WasmMemory };
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => WasmInstance;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type Project = (
  n: number,
  rowBytes: number,
  idxOff: number,
  valOff: number,
  wOff: number,
  outOff: number,
) => void;

/** A projection for one weight matrix; null where WebAssembly SIMD is unavailable. */
export class WasmProjection {
  private readonly project: Project;
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private readonly out: Float64Array;
  private readonly idxOff: number;
  private readonly valOff: number;
  private readonly wOff: number;
  private readonly outOff: number;

  private constructor(
    instance: WasmInstance,
    w: Float32Array,
    private readonly inputs: number,
    private readonly dims: number,
  ) {
    const exports = instance.exports;
    this.project = exports.project;
    // Layout: weights (float64, row-major), output, values, indexes; all 16-byte aligned.
    this.wOff = 0;
    this.outOff = w.length * 8;
    this.valOff = this.outOff + align16(dims * 8);
    this.idxOff = this.valOff + align16(inputs * 8);
    const bytes = this.idxOff + align16(inputs * 4);
    const memory = exports.memory;
    const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    new Float64Array(memory.buffer, this.wOff, w.length).set(w);
    this.out = new Float64Array(memory.buffer, this.outOff, dims);
    this.val = new Float64Array(memory.buffer, this.valOff, inputs);
    this.idx = new Int32Array(memory.buffer, this.idxOff, inputs);
  }

  static create(w: Float32Array, inputs: number, dims: number): WasmProjection | null {
    if (dims % 2 !== 0 || !wasmApi) return null;
    try {
      const instance = new wasmApi.Instance(new wasmApi.Module(MODULE));
      return new WasmProjection(instance, w, inputs, dims);
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

const align16 = (n: number): number => Math.ceil(n / 16) * 16;
