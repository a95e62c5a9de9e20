import { describe, expect, it } from 'vitest';
import { addressAllowed, checkTarget, redactUrl, TargetAllowList } from './webhook-target.js';

const none = new TargetAllowList();

describe('webhook targets', () => {
  it('allows public addresses and refuses internal ones, in every spelling', () => {
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(addressAllowed(a, none), a).toBe(true);
    for (const a of [
      '127.0.0.1',
      '127.255.0.9',
      '10.9.8.7',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.251',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '::7f00:1',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::5',
      'ff02::1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      'not-an-ip',
    ])
      expect(addressAllowed(a, none), a).toBe(false);
  });

  it('lets an operator allow-list in-house ranges, and nothing else', () => {
    const allow = new TargetAllowList(['10.20.0.0/16', '::1']);
    expect(addressAllowed('10.20.3.4', allow)).toBe(true);
    expect(addressAllowed('::1', allow)).toBe(true);
    expect(addressAllowed('10.21.0.1', allow)).toBe(false);
    expect(addressAllowed('127.0.0.1', allow)).toBe(false);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '::1/129', ''])
      expect(() => new TargetAllowList([bad]), bad).toThrow(/not an IP or CIDR/);
  });

  it('refuses a host when any of its addresses is internal, and one that does not resolve', async () => {
    const url = new URL('http://mixed.test/x');
    const both = () =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 as const },
        { address: '10.0.0.1', family: 4 as const },
      ]);
    expect(await checkTarget(url, none, both)).toEqual({ ok: false, reason: 'refused' });
    expect(await checkTarget(url, none, () => Promise.reject(new Error('ENOTFOUND')))).toEqual({
      ok: false,
      reason: 'unresolvable',
    });
    expect(await checkTarget(new URL('http://0x7f000001/'), none, both)).toEqual({
      ok: false,
      reason: 'refused',
    });
  });

  it('redacts credentials and query values', () => {
    expect(redactUrl('https://u:p4ss@hooks.example.com/a?token=t0k&x=1')).toBe(
      'https://redacted@hooks.example.com/a?token=redacted&x=redacted',
    );
    expect(redactUrl('https://hooks.example.com/a')).toBe('https://hooks.example.com/a');
  });
});
