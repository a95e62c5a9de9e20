import { describe, expect, it } from 'vitest';
import { acceptedKeys, keyRingFrom, keyedHash, keyedHashes } from './community-key.js';

const oldKey = { id: 'k1', secret: '11'.repeat(32), not_after: '2026-12-01T00:00:00Z' };
const newKey = { id: 'k2', secret: '22'.repeat(32), not_before: '2026-11-15T00:00:00Z' };

describe('community key ring', () => {
  it('hashes are keyed, carry their key id, and differ by kind', () => {
    const ring = keyRingFrom({ current: 'k2', keys: [oldKey, newKey] });
    const h = keyedHash('email', 'Mallory@Example.org ', ring.current);
    expect(h).toMatch(/^hmac-sha256:k2:[0-9a-f]{64}$/);
    expect(keyedHash('email', 'mallory@example.org', ring.current)).toBe(h);
    expect(keyedHash('payment_fingerprint', 'mallory@example.org', ring.current)).not.toBe(h);
  });

  it('during rotation both keys match; after the window only the new one', () => {
    const ring = keyRingFrom({ current: 'k2', keys: [oldKey, newKey] });
    const published = keyedHash('payment_fingerprint', 'pf_1', ring.keys[0]!);
    expect(keyedHashes('payment_fingerprint', 'pf_1', ring, new Date('2026-11-20T00:00:00Z'))).toContain(
      published,
    );
    expect(keyedHashes('payment_fingerprint', 'pf_1', ring, new Date('2026-12-02T00:00:00Z'))).not.toContain(
      published,
    );
    expect(acceptedKeys(ring, new Date('2026-11-01T00:00:00Z')).map((k) => k.id)).toEqual(['k1']);
  });

  it('refuses short keys and unknown current ids with a clear error', () => {
    expect(() => keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'abcd' }] })).toThrow(
      /shorter than 32 bytes/,
    );
    expect(() => keyRingFrom({ current: 'k9', keys: [oldKey] })).toThrow(/current key "k9"/);
  });
});
