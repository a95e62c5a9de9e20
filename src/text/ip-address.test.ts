import { describe, expect, it } from 'vitest';
import { inPrefix, ipFamily, ipPrefix } from './index.js';

describe('network prefixes', () => {
  it('puts IPv4 addresses in their /24', () => {
    expect(ipPrefix('203.0.113.77')).toBe('203.0.113.0/24');
    expect(ipPrefix('10.0.0.1')).toBe('10.0.0.0/24');
  });

  it('puts IPv6 addresses in their /48, written one way whatever the spelling', () => {
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('2001:0DB8:ABCD:0012:0000:0000:0000:0001')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('2125:16c6:289a:1d33:a4cb:f730:8409:462a')).toBe('2125:16c6:289a::/48');
    // A zero group inside the /48 is compressed with the zeros after it (RFC 5952).
    expect(ipPrefix('2001:db8:0:1::5')).toBe('2001:db8::/48');
    expect(ipPrefix('0:0:abcd:1::5')).toBe('0:0:abcd::/48');
    expect(ipPrefix('fe80::1%eth0')).toBe('fe80::/48');
    expect(ipPrefix('::1')).toBe('::/48');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 client it is', () => {
    expect(ipPrefix('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
    expect(ipPrefix('::FFFF:c633:6409')).toBe('198.51.100.0/24');
    expect(inPrefix('::ffff:198.51.100.9', '198.51.100.0/24')).toBe(true);
    expect(inPrefix('198.51.100.9', '::ffff:198.51.100.0/120')).toBe(true);
    expect(inPrefix('198.51.101.9', '::ffff:198.51.100.0/120')).toBe(false);
  });

  it('gives no prefix for anything that is not an address', () => {
    for (const junk of [
      'not-an-ip',
      'a.b.c.d',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1::2::3',
      ':',
      '',
    ])
      expect(ipPrefix(junk)).toBeNull();
    expect(inPrefix('not-an-ip', '10.0.0.0/8')).toBe(false);
    expect(inPrefix('10.1.2.3', '10.0.0.0/x')).toBe(false);
    expect(inPrefix('10.1.2.3', '10.0.0.0/33')).toBe(false);
    expect(ipFamily('garbage/24')).toBeUndefined();
  });

  it('tests membership for any prefix length in both families', () => {
    expect(inPrefix('198.51.100.9', '198.51.100.0/24')).toBe(true);
    expect(inPrefix('198.51.101.9', '198.51.100.0/24')).toBe(false);
    expect(inPrefix('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inPrefix('10.1.2.3', '0.0.0.0/0')).toBe(true);
    expect(inPrefix('2001:db8:abcd:ffff::9', '2001:db8:abcd::/48')).toBe(true);
    expect(inPrefix('2001:db8:abce::9', '2001:db8:abcd::/48')).toBe(false);
    expect(inPrefix('2001:db8:abcd:12::9', '2001:db8:abcd:10::/60')).toBe(true);
    expect(inPrefix('2001:db8:abcd:22::9', '2001:db8:abcd:10::/60')).toBe(false);
    expect(inPrefix('198.51.100.9', '2001:db8::/32')).toBe(false);
  });
});
