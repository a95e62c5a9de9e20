/**
 * Assembles and instantiates a one-function WebAssembly module from its code bytes (hot loops in
 * SIMD, see kernel-projection-wasm.ts and word-vector-wasm.ts): the modules are a few hundred
 * bytes, so they are written here rather than built and shipped. The function takes `params`
 * i32 arguments and returns nothing; the module exports it as "run" with its memory as "memory".
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: { run: (...args: number[]) => void; memory: WasmMemory };
}
// The few WebAssembly API types used here (the project's TypeScript libs do not declare them).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => WasmInstance;
}
// Through unknown: where DOM libs are loaded (the dashboard's type check) they do declare them.
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

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
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];

/** The function and memory (grown to hold `bytes`), or null where WebAssembly SIMD is unavailable. */
export function instantiate(
  code: readonly number[],
  params: number,
  bytes: number,
): { run: (...args: number[]) => void; memory: WasmMemory } | null {
  if (!wasmApi) return null;
  const module = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, params, ...new Array<number>(params).fill(0x7f), 0x00]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('run'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x01, ...uleb(code.length), ...code]),
  ]);
  try {
    const { exports } = new wasmApi.Instance(new wasmApi.Module(module));
    const pages = Math.ceil(bytes / 65536) - exports.memory.buffer.byteLength / 65536;
    if (pages > 0) exports.memory.grow(pages);
    return exports;
  } catch {
    return null;
  }
}

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
