import { createHash, randomUUID } from 'node:crypto';

// Fixed namespace so the same cluster, indicator or technique gets the same STIX id on every
// export (STIX versioning keys on id; re-publishing then updates instead of duplicating).
const NAMESPACE = Buffer.from('6c1a3f0e2b7d4c58a9e1d2f3b4c5a6d7', 'hex');

/** RFC 4122 version-5 UUID of `name` under DistillGuard's namespace. */
export function uuidV5(name: string, namespace: Buffer = NAMESPACE): string {
  const h = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const stableId = (type: string, ...parts: string[]): string =>
  `${type}--${uuidV5([type, ...parts].join('\u0000'))}`;
export const randomId = (type: string): string => `${type}--${randomUUID()}`;

/** STIX timestamps are UTC with millisecond precision and a Z. */
export const stixNow = (d: Date = new Date()): string => d.toISOString();
