import { fmix32, hash32 } from './hash.js';
import { tokenize } from './normalize.js';

export const MINHASH_SIZE = 64;
export const LSH_BANDS = 16;
const ROWS = MINHASH_SIZE / LSH_BANDS;

// Odd multipliers and offsets for the k universal hash functions, fixed so signatures made by
// different organisations are comparable.
const MUL = Uint32Array.from({ length: MINHASH_SIZE }, (_, i) => (fmix32(i * 2 + 1) | 1) >>> 0);
const ADD = Uint32Array.from({ length: MINHASH_SIZE }, (_, i) => fmix32(i * 2 + 2));

/** Word 3-gram shingles (unigrams for very short texts). */
export function shingles(tokens: readonly string[], size = 3): string[] {
  if (tokens.length < size) return tokens.length ? [tokens.join(' ')] : [];
  const out: string[] = [];
  for (let i = 0; i + size <= tokens.length; i++) out.push(tokens.slice(i, i + size).join(' '));
  return out;
}

/** MinHash signature (64 × uint32) of a text's word-3-gram shingles. */
export function minhashSignature(input: string | readonly string[]): Uint32Array {
  const tokens = typeof input === 'string' ? tokenize(input) : input;
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  for (const sh of shingles(tokens)) {
    const h = hash32(sh);
    for (let i = 0; i < MINHASH_SIZE; i++) {
      const v = (Math.imul(h, MUL[i]!) + ADD[i]!) >>> 0;
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** LSH band keys: texts whose signatures share any key are candidate near-duplicates. */
export function lshBandKeys(sig: Uint32Array): string[] {
  const keys: string[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = b;
    for (let r = 0; r < ROWS; r++) h = fmix32(h ^ sig[b * ROWS + r]!);
    keys.push(`${b}:${h.toString(16).padStart(8, '0')}`);
  }
  return keys;
}

export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

export const signatureToHex = (sig: Uint32Array): string =>
  Array.from(sig, (v) => v.toString(16).padStart(8, '0')).join('');

export function signatureFromHex(hex: string): Uint32Array {
  const out = new Uint32Array(hex.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return out;
}
