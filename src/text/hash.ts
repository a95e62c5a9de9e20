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

/**
 * 64-bit fingerprint as 16 hex characters, from two independent 32-bit hashes:
 * hash32(text, 0x9e3779b9) then hash32(text, 0x7f4a7c15), both computed in one pass over the
 * text (it runs several times per event).
 */
export function fingerprint64(text: string): string {
  let a = (0x811c9dc5 ^ 0x9e3779b9) >>> 0;
  let b = (0x811c9dc5 ^ 0x7f4a7c15) >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return hex16(fmix32(a), fmix32(b));
}

/**
 * fingerprint64 of `lead` + the words text[starts[k]..ends[k]) for k in [from, to), lower-cased
 * (ASCII) and joined by single spaces, + `trail` (lead and trail are '' or one character):
 * the fingerprint of a joined token list without making the joined string.
 */
export function fingerprintWords(
  text: string,
  bounds: Int32Array,
  from: number,
  to: number,
  lead: string,
  trail: string,
): string {
  let a = (0x811c9dc5 ^ 0x9e3779b9) >>> 0;
  let b = (0x811c9dc5 ^ 0x7f4a7c15) >>> 0;
  if (lead) {
    const c = lead.charCodeAt(0);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  for (let k = from; k < to; k++) {
    if (k > from) {
      a = Math.imul(a ^ 32, 0x01000193);
      b = Math.imul(b ^ 32, 0x01000193);
    }
    const end = bounds[2 * k + 1]!;
    for (let i = bounds[2 * k]!; i < end; i++) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
  }
  if (trail) {
    const c = trail.charCodeAt(0);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return hex16(fmix32(a), fmix32(b));
}

const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * Two unsigned 32-bit numbers as 16 lower-case hex digits, zero-padded (what
 * `toString(16).padStart(8, '0')` of each gives): `toString(16)` of a number above 2^30 is a
 * runtime call, and fingerprints are made for every new prompt, several times.
 */
export function hex16(a: number, b: number): string {
  return hex8(a) + hex8(b);
}

function hex8(x: number): string {
  return String.fromCharCode(
    HEX[x >>> 28]!,
    HEX[(x >>> 24) & 15]!,
    HEX[(x >>> 20) & 15]!,
    HEX[(x >>> 16) & 15]!,
    HEX[(x >>> 12) & 15]!,
    HEX[(x >>> 8) & 15]!,
    HEX[(x >>> 4) & 15]!,
    HEX[x & 15]!,
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
