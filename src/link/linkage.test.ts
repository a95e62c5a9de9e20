import { describe, expect, it } from 'vitest';
import { linkAccounts, type Attribute } from './linkage.js';

const ids = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('linkage', () => {
  it('links an operator sharing rare attributes, and not strangers behind one NAT or cloud ASN', () => {
    const attributes = new Map<string, Attribute[]>();
    // 300 unrelated users, each with their own card and prompts; 60 of them behind one campus NAT,
    // 200 in one big cloud ASN.
    for (const [i, id] of ids('user', 300).entries()) {
      const attrs: Attribute[] = [{ kind: 'payment_fingerprint', value: `card-${id}` }];
      if (i < 60)
        attrs.push(
          { kind: 'ip_prefix', value: '10.20.30.0/24' },
          { kind: 'email_domain', value: 'uni.example' },
        );
      if (i >= 100) attrs.push({ kind: 'asn', value: '16509' });
      attributes.set(id, attrs);
    }
    // A 40-account operator: a few cards, two proxy prefixes, one system prompt and wrapper.
    for (const [i, id] of ids('op', 40).entries()) {
      attributes.set(id, [
        { kind: 'payment_fingerprint', value: `opcard-${i % 5}` },
        { kind: 'ip_prefix', value: i % 2 ? '203.0.113.0/24' : '198.51.100.0/24' },
        { kind: 'system_prompt', value: 'sp-1' },
        { kind: 'template', value: 'prefix:wrap1' },
        { kind: 'asn', value: '64500' },
      ]);
    }
    const { community } = linkAccounts(attributes);
    const opCommunities = new Set(ids('op', 40).map((id) => community.get(id)));
    expect(opCommunities.size).toBe(1);
    expect([...opCommunities][0]).toBeDefined();
    const users = ids('user', 300).filter((id) => community.has(id));
    expect(users).toEqual([]);
  });
});
