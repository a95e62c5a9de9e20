import { describe, expect, it } from 'vitest';
import { clusterLinks, linkAccounts, type Attribute } from './linkage.js';

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

  it('does not link two accounts for one cloud /24 they signed up from and use, read three ways', () => {
    // Small seed 102: a customer on one cloud /24 beside one harvester. The sign-up /24, the
    // traffic /24 and the AS are one network; summed they passed the link threshold.
    const attributes = people(300);
    const network: Attribute[] = [
      { kind: 'signup_ip_prefix', value: '104.78.241.0/24' },
      { kind: 'ip_prefix', value: '104.78.241.0/24' },
      { kind: 'asn', value: '8075' },
    ];
    attributes.set('customer', [{ kind: 'payment_fingerprint', value: 'card-customer' }, ...network]);
    attributes.set('harvester', [{ kind: 'payment_fingerprint', value: 'card-harvester' }, ...network]);
    expect(linkAccounts(attributes).community.has('customer')).toBe(false);
    // The same network beside a rare shared request configuration is an operator's.
    const shape: Attribute = { kind: 'request_shape', value: '1|2^9|n>1|lp|20|-' };
    attributes.set('customer', [...attributes.get('customer')!, shape]);
    attributes.set('harvester', [...attributes.get('harvester')!, shape]);
    const { community } = linkAccounts(attributes);
    expect(community.get('customer')).toBeDefined();
    expect(community.get('customer')).toBe(community.get('harvester'));
  });
});

/** A population of `n` ordinary accounts, each with its own card and nothing shared. */
function people(n: number): Map<string, Attribute[]> {
  const attributes = new Map<string, Attribute[]>();
  for (const id of ids('user', n)) attributes.set(id, [{ kind: 'payment_fingerprint', value: `card-${id}` }]);
  return attributes;
}

describe('linkage across campaigns', () => {
  it('keeps a small campaign apart from a big one whose popular phrasings it also uses', () => {
    const attributes = people(1800);
    const used = new Map<string, Attribute[]>();
    // Phrasings popular among harvesters: a wrapper put before tasks (an opener), one put after
    // (an ending), and a task opener that most of a big campaign sends now and then.
    const wrappers: Attribute[] = [
      { kind: 'template', value: 'prefix:think-step-by-step' },
      { kind: 'template', value: 'suffix:show-your-reasoning' },
    ];
    const taskOpener: Attribute = { kind: 'template', value: 'prefix:using-the-available-tools' };
    // A 130-account operator: two proxy ranges, a dozen cards, its mail domain, a system prompt,
    // a client set-up and both wrappers; for 20 of its accounts the task opener is frequent.
    for (const [i, id] of ids('hydra', 130).entries()) {
      attributes.set(id, [
        ...wrappers,
        ...(i < 20 ? [taskOpener] : []),
        { kind: 'payment_fingerprint', value: `hcard-${i % 12}` },
        { kind: 'ip_prefix', value: '198.51.100.0/24' },
        { kind: 'ip_prefix', value: '203.0.113.0/24' },
        { kind: 'email_domain', value: 'hydra-mail.example' },
        { kind: 'system_prompt', value: 'sp-hydra' },
        { kind: 'request_shape', value: '0.7|2^12' },
      ]);
      used.set(id, [...wrappers, taskOpener]);
    }
    // A 12-account operator on residential networks with its own cards, bound by its own recipe
    // (rare openers and wrapper sentences) and client set-up, that also uses the popular phrasings.
    for (const [i, id] of ids('slow', 12).entries()) {
      const own: Attribute[] = [
        ...wrappers,
        taskOpener,
        { kind: 'template', value: 'prefix:own-1' },
        { kind: 'template', value: 'prefix:own-2' },
        { kind: 'elicitation_wrapper', value: 'own-sentence-1' },
        { kind: 'elicitation_wrapper', value: 'own-sentence-2' },
        { kind: 'request_shape', value: '0.7|-' },
      ];
      attributes.set(id, [...own, { kind: 'payment_fingerprint', value: `scard-${i}` }]);
      used.set(id, own);
    }
    const { community } = linkAccounts(attributes, 1, [], used);
    const slow = new Set(ids('slow', 12).map((id) => community.get(id)));
    const hydra = new Set(ids('hydra', 130).map((id) => community.get(id)));
    expect(slow.size).toBe(1);
    expect([...slow][0]).toBeDefined();
    expect(hydra.size).toBe(1);
    expect([...slow][0]).not.toBe([...hydra][0]);
  });

  it('counts a value’s rarity on every account that used it, not only those it is frequent in', () => {
    const attributes = people(1800);
    const used = new Map<string, Attribute[]>();
    // Two task openers that 60 accounts each send now and then; in two light accounts each
    // happened to come up twice, enough to count among their frequent openers.
    const openers: Attribute[] = [
      { kind: 'template', value: 'prefix:using-the-available-tools' },
      { kind: 'template', value: 'prefix:write-a-function-that' },
    ];
    for (const id of ids('user', 60)) used.set(id, openers);
    for (const id of ['light-a', 'light-b']) {
      attributes.set(id, [{ kind: 'payment_fingerprint', value: `card-${id}` }, ...openers]);
      used.set(id, openers);
    }
    const linked = linkAccounts(attributes, 1, [], used);
    expect(linked.edges.filter((e) => e.source.startsWith('light') || e.target.startsWith('light'))).toEqual(
      [],
    );
    expect(linked.holders.get('template\u0000prefix:using-the-available-tools')).toBe(62);
    // Sent often by both and by nobody else, the same two openers do link them.
    expect(linkAccounts(attributes, 1, []).edges).toContainEqual(
      expect.objectContaining({ source: 'light-a', target: 'light-b' }),
    );
  });

  it('does not link two operators who picked some of the same public wrapper phrasings', () => {
    const attributes = people(1800);
    const wrapper = (v: string): Attribute => ({ kind: 'elicitation_wrapper', value: v });
    // Operator A rotates five wrapper sentences, operator B six; three are the same popular
    // public phrasings. Each operator's accounts re-use its whole set, and share nothing else.
    const setA = ['think-step-by-step', 'show-all-work', 'full-derivation', 'a-own-1', 'a-own-2'];
    const setB = ['think-step-by-step', 'show-all-work', 'full-derivation', 'b-own-1', 'b-own-2', 'b-own-3'];
    for (const id of ['a1', 'a2'])
      attributes.set(id, [{ kind: 'payment_fingerprint', value: `card-${id}` }, ...setA.map(wrapper)]);
    for (const id of ids('b', 10))
      attributes.set(id, [{ kind: 'payment_fingerprint', value: `card-${id}` }, ...setB.map(wrapper)]);
    const { edges } = linkAccounts(attributes, 1, []);
    const across = edges.filter((e) => e.source.startsWith('a') !== e.target.startsWith('a'));
    expect(across).toEqual([]);
    // Within each operator the whole set is shared, which links its accounts.
    expect(edges).toContainEqual(expect.objectContaining({ source: 'a1', target: 'a2' }));
    expect(edges.filter((e) => e.source.startsWith('b') && e.target.startsWith('b')).length).toBe(45);
  });

  it('reads a pair’s phrasing sets from what each sent: light accounts of one operator link, two operators do not', () => {
    const attributes = people(1800);
    const used = new Map<string, Attribute[]>();
    const wrapper = (v: string): Attribute => ({ kind: 'elicitation_wrapper', value: v });
    // Six customers blending one operator's harvest into their own use (medium seed 2): the
    // operator's eight phrasings are all sent by each, but each re-uses only three or four.
    const recipe = Array.from({ length: 8 }, (_, i) => `op-${i}`);
    const reused = [
      [0, 1, 2, 3],
      [0, 4, 5],
      [0, 2, 6],
      [0, 1, 7],
      [0, 5, 6, 7],
      [0, 3, 4],
    ];
    for (const [i, id] of ids('blend', 6).entries()) {
      attributes.set(id, [
        { kind: 'payment_fingerprint', value: `card-${id}` },
        ...reused[i]!.map((k) => wrapper(recipe[k]!)),
      ]);
      used.set(id, recipe.map(wrapper));
    }
    // Two operators that each send their own set, three phrasings of which are the same.
    const setA = ['common-1', 'common-2', 'common-3', 'a-own-1', 'a-own-2'];
    const setB = ['common-1', 'common-2', 'common-3', 'b-own-1', 'b-own-2', 'b-own-3'];
    for (const [prefix, set] of [
      ['a', setA],
      ['b', setB],
    ] as const)
      for (const id of ids(prefix, 4)) {
        attributes.set(id, [{ kind: 'payment_fingerprint', value: `card-${id}` }, ...set.map(wrapper)]);
        used.set(id, set.map(wrapper));
      }
    const { edges } = linkAccounts(attributes, 1, [], used);
    // Every pair re-using two phrasings in common links (weight 2 × rarity), also where those are
    // under half of the phrasings the two re-use (blend0000 and blend0003: 2 of 5), which the
    // re-used sets alone refused: seven links, all six accounts connected.
    const blendPairs = edges.filter((e) => e.source.startsWith('blend') && e.target.startsWith('blend'));
    expect(blendPairs).toContainEqual(expect.objectContaining({ source: 'blend0000', target: 'blend0003' }));
    expect(blendPairs).toHaveLength(7);
    const across = edges.filter(
      (e) =>
        e.source.startsWith('a') !== e.target.startsWith('a') &&
        !e.source.startsWith('blend') &&
        !e.target.startsWith('blend'),
    );
    expect(across).toEqual([]);
  });
});

describe('clusterLinks', () => {
  it('lists the most cluster-specific values, and a kept one however many outrank it', () => {
    const members = ids('m', 4);
    const attributes = new Map<string, Attribute[]>();
    for (const id of members)
      attributes.set(id, [
        ...Array.from({ length: 15 }, (_, t) => ({ kind: 'template' as const, value: `t${t}` })),
        { kind: 'email_domain', value: 'big.ac.uk' },
      ]);
    // The university's domain is held by 400 accounts outside the group: it ranks last.
    const holders = new Map([['email_domain\u0000big.ac.uk', 404]]);
    const top = clusterLinks(members, attributes, holders, [], 12);
    expect(top).toHaveLength(12);
    expect(top.some((l) => l.kind === 'email_domain')).toBe(false);
    const kept = clusterLinks(members, attributes, holders, [], 12, undefined, {
      kind: 'email_domain',
      value: 'big.ac.uk',
    });
    expect(kept.slice(0, 12)).toEqual(top);
    expect(kept[12]).toMatchObject({ kind: 'email_domain', value: 'big.ac.uk', accounts: 4, holders: 404 });
    // Already among the top: listed once.
    const few = clusterLinks(members, attributes, holders, [], 20, undefined, {
      kind: 'email_domain',
      value: 'big.ac.uk',
    });
    expect(few.filter((l) => l.kind === 'email_domain')).toHaveLength(1);
  });
});
