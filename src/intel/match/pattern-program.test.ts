import { describe, expect, it } from 'vitest';
import type { ApiEvent, StixObject } from '../../contracts/index.js';
import { parseStixPattern } from '../stix/stix-pattern.js';
import { keyRingFrom } from './community-key.js';
import { IntelMatcher, PATTERN_MATCH_LIMITS, UA_REGEX_LIMITS } from './matcher.js';
import {
  PATTERN_PROGRAM_LIMITS,
  atomVerdicts,
  compilePattern,
  leafMask,
  likeToExpression,
  satisfied,
  type Atom,
  type Observation,
} from './pattern-program.js';

const UA = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const now = new Date('2026-11-21T00:00:00Z');
const CAMPAIGN = 'campaign--0f7a9e61-3c1e-4d5b-9a3e-000000000009';
const stamp = {
  spec_version: '2.1',
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
};

/** A pattern's verdict on one observation (a whole pattern of one observation expression or several, all seen together). */
function evaluate(pattern: string, ...observations: Observation[]): boolean {
  const parsed = parseStixPattern(pattern);
  if (!parsed.ok) throw new Error(`test pattern not valid: ${parsed.message}`);
  const atoms: Atom[] = [];
  const c = compilePattern(parsed.tree, atoms);
  if (!c.ok) throw new Error(`test pattern unsupported: ${c.reason}`);
  let mask = 0;
  for (const o of observations) {
    const v = {
      ...(o.ip !== undefined ? { ip: atomVerdicts(atoms, 'ip', o.ip) } : {}),
      ...(o.asn !== undefined ? { asn: atomVerdicts(atoms, 'asn', String(o.asn)) } : {}),
      ...(o.ua !== undefined ? { ua: atomVerdicts(atoms, 'ua', o.ua) } : {}),
    };
    mask |= leafMask(c.program, v, o);
  }
  return satisfied(c.program, mask);
}

const unsupportedReason = (pattern: string): string | undefined => {
  const parsed = parseStixPattern(pattern);
  if (!parsed.ok) throw new Error(`test pattern not valid: ${parsed.message}`);
  const c = compilePattern(parsed.tree, []);
  return c.ok ? undefined : c.reason;
};

const indicator = (n: number, pattern: string): StixObject => ({
  type: 'indicator',
  ...stamp,
  id: `indicator--5b1e0c2e-8d4b-4f3a-9c7e-${String(n).padStart(12, '0')}`,
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00Z',
  confidence: 70,
});

/** The indicators as one campaign, beside networks covering every client (so every account with traffic is listed). */
function campaign(patterns: string[]): StixObject[] {
  const inds = [
    indicator(0, "[ipv4-addr:value ISSUBSET '0.0.0.0/0']"),
    indicator(1, "[ipv6-addr:value ISSUBSET '::/0']"),
    ...patterns.map((p, i) => indicator(10 + i, p)),
  ];
  return [
    { type: 'campaign', ...stamp, id: CAMPAIGN, name: 'compound' },
    ...inds.flatMap((ind, i) => [
      ind,
      {
        type: 'relationship',
        ...stamp,
        id: `relationship--8c2e1d3f-9e5c-4a4b-8d8f-${String(i).padStart(12, '0')}`,
        relationship_type: 'indicates',
        source_ref: ind.id,
        target_ref: CAMPAIGN,
      },
    ]),
  ];
}

let n = 0;
const request = (account_id: string, client: ApiEvent['client']): ApiEvent => ({
  id: `e${n++}`,
  ts: '2026-11-20T10:00:00Z',
  account_id,
  model: 'm',
  client,
  request: { messages: [{ role: 'user', content: 'hi' }] },
});

/** Per account, the labels of general-pattern hits (STIX pattern …). */
const patternHits = (m: IntelMatcher): Record<string, string[]> =>
  Object.fromEntries(
    [...m.matches()].map(([acct, list]) => [
      acct,
      list.flatMap((c) => c.hits.filter((h) => h.ind.program).map((h) => h.ind.label)),
    ]),
  );

describe('STIX pattern evaluation (intel match)', () => {
  it('evaluates each operator on addresses', () => {
    const ip = (a: string): Observation => ({ ip: a });
    const cases: [string, Observation, boolean][] = [
      [
        "[ipv4-addr:value = '203.0.113.7' AND autonomous-system:number = 1]",
        { ip: '203.0.113.7', asn: 1 },
        true,
      ],
      ["[ipv4-addr:value = '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.8'), false],
      ["[ipv4-addr:value == '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('::ffff:203.0.113.7'), true],
      ["[ipv4-addr:value != '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.8'), true],
      ["[ipv4-addr:value <> '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.7'), false],
      // No ipv4-addr in the observation: neither = nor != holds.
      ["[ipv4-addr:value != '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('2001:db8::1'), false],
      ["[ipv4-addr:value != '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", { ua: 'x' }, false],
      [
        "[ipv4-addr:value IN ('203.0.113.7', '198.51.100.0/24') OR ipv4-addr:value = '1.1.1.1']",
        ip('198.51.100.9'),
        true,
      ],
      [
        "[ipv4-addr:value IN ('203.0.113.7', '198.51.100.0/24') OR ipv4-addr:value = '1.1.1.1']",
        ip('198.51.101.9'),
        false,
      ],
      [
        "[ipv6-addr:value ISSUBSET '2001:db8::/32' OR ipv4-addr:value = '1.1.1.1']",
        ip('2001:db8:7::5'),
        true,
      ],
      ["[ipv6-addr:value ISSUBSET '2001:db8::/32' OR ipv4-addr:value = '1.1.1.1']", ip('2001:db9::5'), false],
      ["[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.7'), true],
      ["[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8' OR ipv4-addr:value = '1.1.1.1']", ip('10.2.3.4'), false],
      [
        "[network-traffic:src_ref.value ISSUBSET '10.0.0.0/8' OR ipv4-addr:value = '1.1.1.1']",
        ip('10.2.3.4'),
        true,
      ],
      [
        "[network-traffic:src_ref.value = '2001:db8::1' OR ipv4-addr:value = '1.1.1.1']",
        ip('2001:db8:0::1'),
        true,
      ],
    ];
    for (const [pattern, o, want] of cases)
      expect([pattern, o, evaluate(pattern, o)]).toEqual([pattern, o, want]);
  });

  it('evaluates each operator on ASNs and user agents', () => {
    const cases: [string, Observation, boolean][] = [
      ['[autonomous-system:number = 64999 OR autonomous-system:number = 1]', { asn: 64999 }, true],
      ['[autonomous-system:number != 64999 OR autonomous-system:number = 1]', { asn: 64998 }, true],
      ['[autonomous-system:number != 64999 OR autonomous-system:number = 1]', { asn: 64999 }, false],
      ['[autonomous-system:number != 64999 OR autonomous-system:number = 1]', { ip: '1.2.3.4' }, false],
      ['[autonomous-system:number IN (7, 64999) AND autonomous-system:number = 64999]', { asn: 64999 }, true],
      ['[autonomous-system:number NOT IN (7, 64999) OR autonomous-system:number = 1]', { asn: 7 }, false],
      [`[${UA} = 'curl/8.7.1' OR ${UA} = 'x']`, { ua: 'curl/8.7.1' }, true],
      [`[${UA} = 'curl/8.7.1' OR ${UA} = 'x']`, { ua: 'curl/8.7.10' }, false],
      [`[${UA} != 'curl/8.7.1' OR ${UA} = 'x']`, { ua: 'curl/8.7.10' }, true],
      [`[${UA} IN ('a', 'it\\'s') OR ${UA} = 'x']`, { ua: "it's" }, true],
      [`[${UA} LIKE 'python-requests/2._%' OR ${UA} = 'x']`, { ua: 'python-requests/2.3' }, true],
      [`[${UA} LIKE 'python-requests/2._%' OR ${UA} = 'x']`, { ua: 'python-requests/2.' }, false],
      [`[${UA} LIKE 'python-requests/2._%' OR ${UA} = 'x']`, { ua: 'xpython-requests/2.31' }, false],
      // LIKE is anchored at both ends and takes regular-expression characters literally.
      [`[${UA} LIKE 'a.c(d)' OR ${UA} = 'x']`, { ua: 'abc(d)' }, false],
      [`[${UA} LIKE 'a.c(d)' OR ${UA} = 'x']`, { ua: 'a.c(d)' }, true],
      [`[${UA} LIKE 'a%' OR ${UA} = 'x']`, { ua: 'a\nb' }, true],
      // MATCHES: anywhere in the value, after the string's own escapes (\\d is \d).
      [`[${UA} MATCHES 'requests/2\\\\.\\\\d+' OR ${UA} = 'x']`, { ua: 'python-requests/2.31' }, true],
      [`[${UA} NOT MATCHES '^curl/' OR ${UA} = 'x']`, { ua: 'curl/8' }, false],
      // Header names are case-insensitive.
      [
        "[network-traffic:extensions.'http-request-ext'.request_header.'user-agent' = 'a' OR autonomous-system:number = 1]",
        { ua: 'a' },
        true,
      ],
      ['[EXISTS autonomous-system:number OR autonomous-system:number = 1]', { asn: 3 }, true],
      ['[EXISTS autonomous-system:number OR autonomous-system:number = 1]', { ua: 'a' }, false],
      [
        "[NOT EXISTS autonomous-system:number AND ipv4-addr:value ISSUBSET '0.0.0.0/0']",
        { ip: '1.2.3.4' },
        true,
      ],
    ];
    for (const [pattern, o, want] of cases)
      expect([pattern, o, evaluate(pattern, o)]).toEqual([pattern, o, want]);
  });

  it('joins comparisons with AND, OR and parentheses, AND binding tighter', () => {
    const net = "ipv4-addr:value ISSUBSET '203.0.113.0/24'";
    const asn = 'autonomous-system:number = 64999';
    const ua = `${UA} LIKE 'harvest%'`;
    const loose = `[${net} OR ${asn} AND ${ua}]`; // net OR (asn AND ua)
    const grouped = `[(${net} OR ${asn}) AND ${ua}]`;
    const o = { ip: '203.0.113.5', asn: 1, ua: 'curl' };
    expect([evaluate(loose, o), evaluate(grouped, o)]).toEqual([true, false]);
    const p = { ip: '198.51.100.1', asn: 64999, ua: 'harvest/1' };
    expect([evaluate(loose, p), evaluate(grouped, p)]).toEqual([true, true]);
    expect(evaluate(grouped, { ...p, ua: 'curl' })).toBe(false);
  });

  it('joins observation expressions: OR by either, AND by both, possibly on different requests', () => {
    const both = `[${UA} MATCHES '^curl/'] AND [autonomous-system:number = 16509]`;
    const either = `[${UA} MATCHES '^curl/'] OR [autonomous-system:number = 16509]`;
    expect(evaluate(both, { ua: 'curl/8' })).toBe(false);
    expect(evaluate(both, { ua: 'curl/8' }, { asn: 16509 })).toBe(true);
    expect(evaluate(both, { ua: 'curl/8', asn: 16509 })).toBe(true);
    expect(evaluate(either, { asn: 16509 })).toBe(true);
    expect(evaluate(`(${both}) OR [${UA} = 'x']`, { ua: 'x' })).toBe(true);
  });

  it('says why a shape is outside the subset, and never throws', () => {
    const cases: [string, RegExp][] = [
      ["[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS", /qualifier WITHIN/],
      ["[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", /qualifier REPEATS/],
      [
        "[ipv4-addr:value = '1.2.3.4'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'",
        /qualifier START/,
      ],
      ["[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [autonomous-system:number = 1]", /FOLLOWEDBY/],
      [
        "[file:name = 'x.exe' AND ipv4-addr:value = '1.2.3.4']",
        /property file:name is not one DistillGuard observes/,
      ],
      ["[network-traffic:dst_port = 443 OR ipv4-addr:value = '1.2.3.4']", /network-traffic:dst_port/],
      ["[ipv4-addr:value ISSUPERSET '1.2.3.4' OR ipv4-addr:value = '1.2.3.4']", /ISSUPERSET on an address/],
      ["[ipv4-addr:value MATCHES '^1' OR ipv4-addr:value = '1.2.3.4']", /MATCHES on an address/],
      ['[autonomous-system:number > 64000 OR autonomous-system:number = 1]', /> on an ASN/],
      [
        "[autonomous-system:number = '64000' OR autonomous-system:number = 1]",
        /= on an ASN with string operands/,
      ],
      [`[${UA} ISSUBSET 'a' OR ${UA} = 'x']`, /ISSUBSET on the User-Agent header/],
      [
        "[ipv4-addr:value = '203.0.113.300' OR ipv4-addr:value = '1.2.3.4']",
        /is not an IP address or network/,
      ],
      [
        "[ipv4-addr:value ISSUBSET '10.0.0.0/33' OR ipv4-addr:value = '1.2.3.4']",
        /is not an IP address or network/,
      ],
    ];
    for (const [pattern, reason] of cases)
      expect([pattern, unsupportedReason(pattern)]).toEqual([pattern, expect.stringMatching(reason)]);
  });

  it('bounds one pattern: observation expressions, comparisons and set members, depth', () => {
    const obs = (k: number): string =>
      Array.from({ length: k }, (_, i) => `[autonomous-system:number = ${i}]`).join(' OR ');
    expect(unsupportedReason(obs(PATTERN_PROGRAM_LIMITS.maxObservations))).toBeUndefined();
    expect(unsupportedReason(obs(PATTERN_PROGRAM_LIMITS.maxObservations + 1))).toMatch(
      /more than 16 observation/,
    );
    const set = (k: number): string =>
      `[autonomous-system:number IN (${Array.from({ length: k }, (_, i) => i).join(', ')})]`;
    expect(unsupportedReason(set(PATTERN_PROGRAM_LIMITS.maxTerms))).toBeUndefined();
    expect(unsupportedReason(set(PATTERN_PROGRAM_LIMITS.maxTerms + 1))).toMatch(/more than 256 comparisons/);
    // Parentheses alone add nothing; alternating AND / OR nest (the observation is one level, each operator one).
    const nested = (k: number): string => {
      let e = 'autonomous-system:number = 0';
      for (let i = 1; i <= k; i++) e = `autonomous-system:number = ${i} ${i % 2 ? 'AND' : 'OR'} (${e})`;
      return `[${e}]`;
    };
    expect(unsupportedReason(nested(PATTERN_PROGRAM_LIMITS.maxDepth - 2))).toBeUndefined();
    expect(unsupportedReason(nested(PATTERN_PROGRAM_LIMITS.maxDepth - 1))).toMatch(/nested deeper than 16/);
  });

  it('LIKE becomes an anchored expression of literal characters', () => {
    expect(likeToExpression('a%_.\\')).toBe('(?s)\\Aa.*.\\.\\\\\\z');
  });
});

describe('intel match on general STIX patterns', () => {
  it('hits exactly the accounts satisfying a compound pattern, on requests or the account record', () => {
    const inOne = `[ipv4-addr:value ISSUBSET '203.0.113.0/24' AND (autonomous-system:number = 64999 OR ${UA} LIKE 'harvest%')]`;
    const across = `[${UA} MATCHES '^curl/'] AND [autonomous-system:number = 16509]`;
    const m = new IntelMatcher(campaign([inOne, across]), ring, now);
    expect([m.indicators, m.refused, m.skipped, m.unsupported.size]).toEqual([4, 0, 0, 0]);
    m.addEvent(request('net_asn', { ip: '203.0.113.9', asn: 64999, user_agent: 'Mozilla/5.0' }));
    m.addEvent(request('net_ua', { ip: '203.0.113.10', asn: 1, user_agent: 'harvest/2' }));
    m.addEvent(request('net_only', { ip: '203.0.113.11', asn: 1, user_agent: 'Mozilla/5.0' }));
    // The same attributes, on different requests: not one observation.
    m.addEvent(request('split', { ip: '203.0.113.12', asn: 1, user_agent: 'Mozilla/5.0' }));
    m.addEvent(request('split', { ip: '198.51.100.1', asn: 64999, user_agent: 'Mozilla/5.0' }));
    m.addEvent(request('curl_aws', { ip: '198.51.100.2', asn: 1, user_agent: 'curl/8.7.1' }));
    m.addEvent(request('curl_aws', { ip: '198.51.100.3', asn: 16509, user_agent: 'Mozilla/5.0' }));
    m.addEvent(request('curl_only', { ip: '198.51.100.4', asn: 1, user_agent: 'curl/8.7.1' }));
    // Sign-up address only (an account record is an observation of it).
    m.addAccount({ account_id: 'signup', signup_ip: '203.0.113.77' });
    const a = `STIX pattern ${inOne.slice(0, 64)}…`;
    const b = `STIX pattern ${across.slice(0, 64)}…`;
    expect(patternHits(m)).toEqual({
      net_asn: [a],
      net_ua: [a],
      net_only: [],
      split: [],
      curl_aws: [b],
      curl_only: [],
      signup: [],
    });
    // The hit on both requests of the account counts both, for coverage and evidence.
    const hit = m
      .matches()
      .get('curl_aws')![0]!
      .hits.find((h) => h.ind.program)!;
    expect([hit.events, hit.ind.kind]).toEqual([2, 'user_agent']);
    expect(
      m
        .matches()
        .get('net_asn')![0]!
        .hits.find((h) => h.ind.program)!.ind.kind,
    ).toBe('ip_prefix');
  });

  it('an indicator whose pattern is an address comparison matches a sign-up address', () => {
    const m = new IntelMatcher(
      campaign(["[ipv4-addr:value ISSUBSET '203.0.113.0/24' AND ipv4-addr:value != '203.0.113.1']"]),
      ring,
      now,
    );
    m.addAccount({ account_id: 'signup', signup_ip: '203.0.113.77' });
    m.addAccount({ account_id: 'other', signup_ip: '203.0.113.1' });
    expect(Object.keys(patternHits(m)).filter((k) => patternHits(m)[k]!.length)).toEqual(['signup']);
  });

  it('counts unsupported shapes by reason, keeps the rest, and keeps simple shapes on their fast paths', () => {
    const m = new IntelMatcher(
      campaign([
        "[ipv4-addr:value = '203.0.113.7'] WITHIN 60 SECONDS",
        "[file:name = 'a'] OR [ipv4-addr:value = '203.0.113.7']",
        "[file:name = 'b'] OR [ipv4-addr:value = '203.0.113.7']",
        "[ipv4-addr:value = '203.0.113.7']",
        '[autonomous-system:number = 64999]',
        `[${UA} = 'harvest/2']`,
      ]),
      ring,
      now,
    );
    expect(m.indicators).toBe(5);
    expect([...m.unsupported]).toEqual([
      ['the qualifier WITHIN (a time window or count) is not evaluated', 1],
      ['property file:name is not one DistillGuard observes', 2],
    ]);
    m.addEvent(request('x', { ip: '203.0.113.7', asn: 64999, user_agent: 'harvest/2' }));
    const labels = m
      .matches()
      .get('x')![0]!
      .hits.map((h) => [h.ind.kind, h.ind.label]);
    expect(labels).toEqual([
      ['ip_prefix', 'network 0.0.0.0/0'],
      ['ip_prefix', 'network 203.0.113.7/32'],
      ['asn', 'AS64999'],
      ['user_agent', 'user agent "harvest/2"'],
    ]);
  });

  it('matches cluster links, each link an observation of its one attribute', () => {
    // Kind user_agent (not specific alone): it shows in a cluster's kinds beside the /0 networks.
    const m = new IntelMatcher(
      campaign([`[${UA} LIKE 'harvest%'] AND [autonomous-system:number = 64999]`]),
      ring,
      now,
    );
    const net = { kind: 'ip_prefix' as const, value: '203.0.113.0/24', accounts: 2 };
    const asn = { kind: 'asn' as const, value: '64999', accounts: 2 };
    const ua = { kind: 'user_agent' as const, value: 'harvest/2', accounts: 2 };
    const found = m.matchFindings({
      clusters: [
        { cluster_id: 'all', links: [net, asn, ua] },
        { cluster_id: 'no_asn', links: [net, ua] },
      ],
    } as unknown as Parameters<IntelMatcher['matchFindings']>[0]);
    expect(found.map((c) => `${c.clusterId}:${c.kinds.join('+')}`)).toEqual([
      'all:ip_prefix+user_agent',
      'no_asn:ip_prefix',
    ]);
  });

  it('bounds all patterns together: MATCHES/LIKE expressions shared with the user-agent bound, and comparisons', () => {
    const over = 5;
    const m = new IntelMatcher(
      campaign(
        Array.from(
          { length: UA_REGEX_LIMITS.maxExpressions + over },
          (_, i) => `[${UA} LIKE 'bot-${i}/%' AND autonomous-system:number = 1]`,
        ),
      ),
      ring,
      now,
    );
    expect([m.indicators, m.skipped]).toEqual([2 + UA_REGEX_LIMITS.maxExpressions, over]);
    const perPattern = PATTERN_PROGRAM_LIMITS.maxTerms;
    const fit = Math.floor(PATTERN_MATCH_LIMITS.maxTerms / perPattern);
    const set = `(${Array.from({ length: perPattern }, (_, i) => i).join(', ')})`;
    const big = new IntelMatcher(
      campaign(Array.from({ length: fit + over }, () => `[autonomous-system:number IN ${set}]`)),
      ring,
      now,
    );
    expect([big.indicators, big.skipped]).toEqual([2 + fit, over]);
  });
});

describe('LIKE and MATCHES through a whole pattern, against JavaScript RegExp', () => {
  /** mulberry32: the same cases every run. */
  const rng = (seed: number) => (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const word = (r: () => number, alphabet: readonly string[], max: number): string =>
    Array.from({ length: Math.floor(r() * (max + 1)) }, () => pick(r, alphabet)).join('');
  /** As a STIX string literal's content: \ and ' escaped. */
  const quoted = (s: string): string => s.replace(/[\\']/g, (c) => `\\${c}`);
  const uaVerdict = (pattern: string, ua: string): boolean => evaluate(pattern, { ua });

  it('LIKE agrees with an anchored RegExp (u flag) on generated values and inputs', () => {
    const r = rng(19);
    const chars = ['a', 'b', '.', '(', '\\', "'", '*', '$', '^', '|', '?', '[', 'é', '😀', ' '];
    let cases = 0;
    let hits = 0;
    for (let i = 0; i < 1500; i++) {
      const like = word(r, [...chars, '%', '%', '_'], 8);
      const oracle = new RegExp(
        `^${[...like]
          .map((c) =>
            c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
          )
          .join('')}$`,
        'u',
      );
      const pattern = `[${UA} LIKE '${quoted(like)}']`;
      // Random inputs, and inputs built from the value (% and _ filled in) so some match.
      const inputs = [
        ...Array.from({ length: 4 }, () => word(r, [...chars, '\n'], 8)),
        ...Array.from({ length: 4 }, () =>
          [...like]
            .map((c) => (c === '%' ? word(r, chars, 3) : c === '_' ? pick(r, [...chars, '\n']) : c))
            .join(''),
        ),
      ];
      for (const input of inputs) {
        const want = oracle.test(input);
        expect([like, input, uaVerdict(pattern, input)]).toEqual([like, input, want]);
        cases++;
        if (want) hits++;
      }
    }
    expect(cases).toBe(12_000);
    expect(hits).toBeGreaterThan(3000);
  });

  it('MATCHES agrees with RegExp (u flag) on generated expressions where PCRE and JavaScript mean the same', () => {
    const r = rng(7);
    const atoms = ['a', 'b', '1', '.', '[ab]', '[^a]', '\\d', '\\w', 'é', '😀', '\\.', "'", '\\\\'];
    const quant = ['', '', '', '*', '+', '?', '{1,2}', '{2}'];
    const expr = (depth: number): string => {
      const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        const atom = depth < 2 && r() < 0.25 ? `(?:${expr(depth + 1)})` : pick(r, atoms);
        // No quantifier on a group that holds one (the pattern check refuses nested quantifiers).
        return atom.startsWith('(?:') && /[*+?{]/.test(atom) ? atom : atom + pick(r, quant);
      });
      const seq = (r() < 0.2 && depth === 0 ? '^' : '') + parts.join('');
      return depth < 2 && r() < 0.2 ? `${seq}|${expr(depth + 1)}` : seq;
    };
    let cases = 0;
    let hits = 0;
    for (let i = 0; i < 1500; i++) {
      const source = expr(0);
      const oracle = new RegExp(source, 'u');
      const pattern = `[${UA} MATCHES '${quoted(source)}']`;
      if (!parseStixPattern(pattern).ok) continue;
      for (let j = 0; j < 8; j++) {
        // No \n, \r or \u2028 (where . and $ differ between the two).
        const input = word(r, ['a', 'b', '1', 'x', 'é', '😀', '.', "'", '\\', ' '], 10);
        const want = oracle.test(input);
        expect([source, input, uaVerdict(pattern, input)]).toEqual([source, input, want]);
        cases++;
        if (want) hits++;
      }
    }
    expect(cases).toBeGreaterThan(8000);
    expect(hits).toBeGreaterThan(2000);
  });
});
