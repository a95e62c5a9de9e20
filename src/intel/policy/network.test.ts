import { describe, expect, it } from 'vitest';
import { inPrefix, prefixOf } from './network.js';

describe('network prefixes', () => {
  it('puts IPv4 addresses in their /24 and IPv6 in their /48', () => {
    expect(prefixOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(prefixOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(prefixOf('not-an-ip')).toBeUndefined();
  });

  it('tests membership for any prefix length in both families', () => {
    expect(inPrefix('198.51.100.9', '198.51.100.0/24')).toBe(true);
    expect(inPrefix('198.51.101.9', '198.51.100.0/24')).toBe(false);
    expect(inPrefix('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inPrefix('2001:db8:abcd:ffff::9', '2001:db8:abcd::/48')).toBe(true);
    expect(inPrefix('2001:db8:abce::9', '2001:db8:abcd::/48')).toBe(false);
    expect(inPrefix('198.51.100.9', '2001:db8::/32')).toBe(false);
  });
});
