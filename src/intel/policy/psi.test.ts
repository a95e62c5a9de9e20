import { describe, expect, it } from 'vitest';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { psiElementOf, psiInitiatorFinish, psiRespond, psiResponderFinish, psiStart } from './psi.js';

const A = [
  'hmac-sha256:k1:aa01',
  'hmac-sha256:k1:shared-1',
  'hmac-sha256:k1:aa02',
  'hmac-sha256:k1:shared-2',
];
const B = [
  'hmac-sha256:k1:shared-2',
  'hmac-sha256:k1:bb01',
  'hmac-sha256:k1:shared-1',
  'hmac-sha256:k1:bb02',
  'hmac-sha256:k1:bb03',
];

describe('private set intersection over ristretto255', () => {
  it('both members learn exactly the overlap', () => {
    const a = psiStart(A);
    const b = psiRespond(B, a.message);
    const aDone = psiInitiatorFinish(a.state, b.message);
    expect(aDone.overlap.sort()).toEqual(['hmac-sha256:k1:shared-1', 'hmac-sha256:k1:shared-2']);
    expect(psiResponderFinish(b.state, aDone.message).sort()).toEqual(aDone.overlap.sort());
  });

  it('non-overlapping items stay hidden: no message holds an item or its plain hash, and they match nothing', () => {
    const a = psiStart(A);
    const b = psiRespond(B, a.message);
    const aDone = psiInitiatorFinish(a.state, b.message);
    const wire = JSON.stringify([a.message, b.message, aDone.message]);
    for (const item of [...A, ...B]) {
      expect(wire).not.toContain(item);
      // The unblinded group element an eavesdropper or the peer could compute by dictionary.
      expect(wire).not.toContain(psiElementOf(item));
    }
    // B's singly blinded values of its private items do not equal anything A can derive on its own.
    const aOwnBlinded = new Set(a.message.blinded);
    expect(b.message.blinded.some((v) => aOwnBlinded.has(v))).toBe(false);
    // Only the two shared items produce equal double-blinded values.
    const inter = aDone.message.double_blinded.filter((v) => b.message.double_blinded.includes(v));
    expect(inter).toHaveLength(2);
    // Messages are valid group elements, but fresh secrets make each run unlinkable to the last.
    const again = psiStart(A);
    expect(again.message.blinded.some((v) => a.message.blinded.includes(v))).toBe(false);
    expect(() => ristretto255.Point.fromHex(a.message.blinded[0]!)).not.toThrow();
  });

  it('refuses corrupt and mismatched messages', () => {
    const a = psiStart(A);
    const b = psiRespond(B, a.message);
    expect(() => psiInitiatorFinish(a.state, { ...b.message, session: 'other' })).toThrow(/session/);
    expect(() => psiRespond(B, { ...a.message, blinded: ['ff'.repeat(32)] })).toThrow(
      /not a ristretto255 element/,
    );
  });
});
