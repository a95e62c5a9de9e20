import { hash32 } from './hash.js';
import { tokenize } from './normalize.js';

/** 64-bit SimHash over word unigrams and bigrams, as 16 hex characters. */
export function simhash64(text: string): string {
  const tokens = tokenize(text);
  const acc = new Int32Array(64);
  const add = (f: string): void => {
    const lo = hash32(f, 1);
    const hi = hash32(f, 2);
    for (let i = 0; i < 32; i++) {
      acc[i]! += (lo >>> i) & 1 ? 1 : -1;
      acc[i + 32]! += (hi >>> i) & 1 ? 1 : -1;
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    add(tokens[i]!);
    if (i + 1 < tokens.length) add(`${tokens[i]} ${tokens[i + 1]}`);
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) {
    if (acc[i]! > 0) lo |= 1 << i;
    if (acc[i + 32]! > 0) hi |= 1 << i;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

export function hammingDistance64(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (Number.parseInt(a.slice(i, i + 8), 16) ^ Number.parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}
