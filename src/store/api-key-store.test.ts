import { describe, expect, it } from 'vitest';
import { hashApiKey } from './index.js';

describe('hashApiKey', () => {
  // Vectors from `printf '%s' KEY | sha256sum`: the UTF-8 bytes both the server and the hub have
  // always hashed (Node's default string encoding), so hashes stored before stay valid.
  it('hashes the UTF-8 bytes of a key, non-ASCII included', () => {
    expect(hashApiKey('dg_abc')).toBe('449e4a5808a6a3a0286da425b6c7cc159fec2e25d63c670f08ad424289da7d70');
    expect(hashApiKey('clé-ключ-鍵-🔑')).toBe(
      'fa00f9cb1469a7d340fce268a9f3f05ca38da6f3e3ac46075bf65f6d25775026',
    );
  });

  it('tells keys apart that differ only in normalisation', () => {
    // "é" precomposed vs e + combining accent: different bytes, so different keys.
    expect(hashApiKey('cl\u00e9')).not.toBe(hashApiKey('cle\u0301'));
  });
});
