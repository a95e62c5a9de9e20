import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import {
  generateMemberKey,
  parseSignatureHeader,
  signObjects,
  signatureHeader,
  verifyObjects,
} from './signing.js';

const objects = [
  { type: 'campaign', id: 'campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc', name: 'Op', spec_version: '2.1' },
];

describe('bundle signing', () => {
  it('verifies with the member key whatever the key order, and fails on any change or other key', () => {
    const k = generateMemberKey('org-a');
    const sig = signObjects(objects, k);
    const reordered = [{ name: 'Op', spec_version: '2.1', id: objects[0]!.id, type: 'campaign' }];
    expect(verifyObjects(reordered, sig, k.publicKey)).toBe(true);
    expect(verifyObjects([{ ...objects[0]!, name: 'Op2' }], sig, k.publicKey)).toBe(false);
    expect(verifyObjects(objects, sig, generateMemberKey('org-b').publicKey)).toBe(false);
    expect(verifyObjects(objects, { ...sig, value: 'AAAA' }, k.publicKey)).toBe(false);
  });

  it('round-trips through the HTTP header form', () => {
    const sig = signObjects(objects, generateMemberKey('org a/b'));
    expect(parseSignatureHeader(signatureHeader(sig))).toEqual(sig);
    expect(parseSignatureHeader('rsa whatever')).toBeUndefined();
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: undefined }] })).toBe(
      '{"a":[true,null,{"d":"x"}],"b":1}',
    );
  });
});
