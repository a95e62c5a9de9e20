import { Rng, mixKeys } from './rng.js';

/**
 * Plausible public addresses for an autonomous system. Each AS owns a few /16 blocks derived
 * from its number, so the same AS always maps to the same blocks, and unrelated callers on one
 * ISP share /16s and occasionally /24s, as they do in real logs.
 */
const FIRST_OCTETS: readonly number[] = Array.from({ length: 223 }, (_, i) => i + 1).filter(
  (o) => ![10, 100, 127, 169, 172, 192, 198, 203, 0].includes(o),
);

const blockCache = new Map<number, readonly (readonly [number, number])[]>();

export function blocksOf(asn: number): readonly (readonly [number, number])[] {
  let blocks = blockCache.get(asn);
  if (!blocks) {
    const rng = Rng.derive(mixKeys(asn, ['as-blocks']));
    const count = 3 + (asn % 5);
    blocks = Array.from({ length: count }, () => [rng.pick(FIRST_OCTETS), rng.int(0, 255)] as const);
    blockCache.set(asn, blocks);
  }
  return blocks;
}

/** A random host address inside the AS. */
export function hostIn(asn: number, rng: Rng): string {
  const [a, b] = rng.pick(blocksOf(asn));
  return `${a}.${b}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** A random /24 (as "a.b.c") inside the AS. */
export function prefix24In(asn: number, rng: Rng): string {
  const [a, b] = rng.pick(blocksOf(asn));
  return `${a}.${b}.${rng.int(0, 255)}`;
}

export function hostInPrefix24(prefix: string, rng: Rng): string {
  return `${prefix}.${rng.int(2, 253)}`;
}

/** An IPv6 address in a /48 derived from the AS (residential v6 is common on big ISPs). */
export function host6In(asn: number, rng: Rng): string {
  const h = mixKeys(asn, ['v6']);
  const top = (0x2001 + (h % 0x0e00)).toString(16);
  const second = ((h >>> 12) & 0xffff).toString(16);
  const groups = Array.from({ length: 6 }, () => rng.int(0, 0xffff).toString(16));
  return `${top}:${second}:${groups.join(':')}`;
}

/** ISPs known for handing out IPv6 to homes. */
export const V6_HEAVY_ASNS: ReadonlySet<number> = new Set([
  7922, 3320, 3215, 12322, 55836, 18881, 2516, 1221, 21928,
]);
