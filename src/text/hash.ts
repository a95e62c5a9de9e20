// FNV-1a with a murmur3 finaliser: fast, dependency-free, good enough spread for sketches.
// Written here because it sits on the per-event hot path.
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 64-bit fingerprint as 16 hex characters, from two independent 32-bit hashes. */
export function fingerprint64(text: string): string {
  return (
    hash32(text, 0x9e3779b9).toString(16).padStart(8, '0') +
    hash32(text, 0x7f4a7c15).toString(16).padStart(8, '0')
  );
}

/** Deterministic PRNG (mulberry32) for seeded projections. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
