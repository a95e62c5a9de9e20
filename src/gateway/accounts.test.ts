import { describe, expect, it } from 'vitest';
import { keyHeaders, presentedKeys } from './accounts.js';

const keysOf = (headers: [string, string][], url = '/v1/chat/completions', known = new Set<string>()) =>
  presentedKeys(keyHeaders(headers.flat()), url, (k) => known.has(k));
const basic = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('presentedKeys', () => {
  it('finds the one key of a plain Bearer header however it is spaced or cased', () => {
    for (const v of ['Bearer sk-a', 'bearer sk-a', 'BEARER  sk-a', '  Bearer\tsk-a  ', 'Bearer\u00a0sk-a'])
      expect(keysOf([['Authorization', v]])).toEqual(['sk-a']);
  });

  it('counts every token after a scheme, and a bare token as the key', () => {
    expect(keysOf([['authorization', 'Bearer sk-a sk-b']])).toEqual(['sk-a', 'sk-b']);
    expect(keysOf([['authorization', 'Bearer sk-a sk-a']])).toEqual(['sk-a']);
    expect(keysOf([['authorization', 'sk-a']])).toEqual(['sk-a']);
    expect(keysOf([['authorization', 'Bearer']])).toEqual([]);
    expect(keysOf([['authorization', '   ']])).toEqual([]);
    expect(keysOf([['authorization', 'Token sk-a']])).toEqual(['sk-a']);
  });

  it('reads Basic credentials: the password, else the user; a known user key as well', () => {
    expect(keysOf([['authorization', basic('user:sk-p')]])).toEqual(['sk-p']);
    expect(keysOf([['authorization', basic('sk-u:')]])).toEqual(['sk-u']);
    expect(keysOf([['authorization', basic('sk-u:sk-p')]], undefined, new Set(['sk-u']))).toEqual([
      'sk-p',
      'sk-u',
    ]);
  });

  it('joins keys from every place an upstream reads one, once each', () => {
    expect(keysOf([['authorization', 'Bearer sk-a']], '/v1/chat/completions?key=sk-b')).toEqual([
      'sk-a',
      'sk-b',
    ]);
    expect(keysOf([['authorization', 'Bearer sk-a']], '/v1/x?api_key=sk-a')).toEqual(['sk-a']);
    expect(
      keysOf([
        ['Authorization', 'Bearer sk-a'],
        ['x-api-key', 'sk-c'],
      ]),
    ).toEqual(['sk-a', 'sk-c']);
    expect(
      keysOf([
        ['authorization', 'Bearer sk-a'],
        ['authorization', 'Bearer sk-d'],
      ]),
    ).toEqual(['sk-a', 'sk-d']);
    expect(keysOf([['api-key', ' sk-e ']])).toEqual(['sk-e']);
  });
});
