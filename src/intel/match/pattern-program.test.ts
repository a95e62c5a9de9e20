import { describe, expect, it } from 'vitest';
import type { ApiEvent, StixObject } from '../../contracts/index.js';
import { parseStixPattern } from '../stix/stix-pattern.js';
import { keyRingFrom } from './community-key.js';
import { IntelMatcher, MATCH_LIMITS, PATTERN_MATCH_LIMITS, UA_REGEX_LIMITS } from './matcher.js';
import {
  PATTERN_PROGRAM_LIMITS,
  TIMED_LIMITS,
  atomVerdicts,
  compilePattern,
  countMask,
  leafMask,
  likeToExpression,
  maskCounts,
  satisfied,
  type Atom,
  type MaskCounts,
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
  const counts: MaskCounts = maskCounts(c.program);
  for (const o of observations) {
    const v = {
      ...(o.ip !== undefined ? { ip: atomVerdicts(atoms, 'ip', o.ip) } : {}),
      ...(o.asn !== undefined ? { asn: atomVerdicts(atoms, 'asn', String(o.asn)) } : {}),
      ...(o.ua !== undefined ? { ua: atomVerdicts(atoms, 'ua', o.ua) } : {}),
    };
    const m = leafMask(c.program, v, o);
    mask |= m;
    countMask(c.program, counts, m);
  }
  return satisfied(c.program, mask, counts);
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
      // ISSUPERSET: the observed value (one address) contains the operand, so only that address.
      ["[ipv4-addr:value ISSUPERSET '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.7'), true],
      [
        "[ipv4-addr:value ISSUPERSET '203.0.113.7/32' OR ipv4-addr:value = '1.1.1.1']",
        ip('203.0.113.7'),
        true,
      ],
      ["[ipv4-addr:value ISSUPERSET '203.0.113.7' OR ipv4-addr:value = '1.1.1.1']", ip('203.0.113.8'), false],
      [
        "[ipv4-addr:value ISSUPERSET '203.0.113.0/24' OR ipv4-addr:value = '1.1.1.1']",
        ip('203.0.113.0'),
        false,
      ],
      [
        "[ipv4-addr:value ISSUPERSET '203.0.113.0/24' OR ipv4-addr:value = '1.1.1.1']",
        ip('203.0.113.9'),
        false,
      ],
      [
        "[ipv6-addr:value ISSUPERSET '2001:db8::1/128' OR ipv4-addr:value = '1.1.1.1']",
        ip('2001:db8::1'),
        true,
      ],
      [
        "[ipv6-addr:value ISSUPERSET '2001:db8::/64' OR ipv4-addr:value = '1.1.1.1']",
        ip('2001:db8::1'),
        false,
      ],
      ["[ipv4-addr:value NOT ISSUPERSET '10.0.0.0/8' OR ipv4-addr:value = '1.1.1.1']", ip('10.0.0.0'), true],
      ["[ipv4-addr:value NOT ISSUPERSET '10.0.0.1' OR ipv4-addr:value = '1.1.1.1']", ip('10.0.0.1'), false],
      // A NOT on an address of the other family: no ipv4-addr, no match.
      [
        "[ipv4-addr:value NOT ISSUPERSET '10.0.0.1' OR ipv4-addr:value = '1.1.1.1']",
        ip('2001:db8::1'),
        false,
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
      // Order on numbers, at and around the bound, integer or float operands.
      ...(
        [
          ['<', [false, false, true]],
          ['<=', [false, true, true]],
          ['>', [true, false, false]],
          ['>=', [true, true, false]],
        ] as const
      ).flatMap(([op, want]) =>
        [64513, 64512, 64511].map((asn, i): [string, Observation, boolean] => [
          `[autonomous-system:number ${op} 64512 OR autonomous-system:number = 1]`,
          { asn },
          want[i]!,
        ]),
      ),
      ['[autonomous-system:number NOT < 64512 OR autonomous-system:number = 1]', { asn: 64511 }, false],
      ['[autonomous-system:number NOT < 64512 OR autonomous-system:number = 1]', { asn: 64512 }, true],
      ['[autonomous-system:number > 64511.5 AND autonomous-system:number < 64512.5]', { asn: 64512 }, true],
      ['[autonomous-system:number > 64511.5 AND autonomous-system:number < 64512.5]', { asn: 64511 }, false],
      // No ASN observed: no order holds, negated or not.
      ['[autonomous-system:number NOT > 5 OR autonomous-system:number = 1]', { ip: '1.2.3.4' }, false],
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

  it('joins observation expressions: OR by either, AND by both, each operand on a distinct request', () => {
    const both = `[${UA} MATCHES '^curl/'] AND [autonomous-system:number = 16509]`;
    const either = `[${UA} MATCHES '^curl/'] OR [autonomous-system:number = 16509]`;
    expect(evaluate(both, { ua: 'curl/8' })).toBe(false);
    expect(evaluate(both, { ua: 'curl/8' }, { asn: 16509 })).toBe(true);
    // STIX 2.1 §9 (and stix2-matcher): each observation expression binds its own observation.
    expect(evaluate(both, { ua: 'curl/8', asn: 16509 })).toBe(false);
    expect(evaluate(both, { ua: 'curl/8', asn: 16509 }, { ua: 'curl/7', asn: 16509 })).toBe(true);
    expect(evaluate(both, { ua: 'curl/8', asn: 16509 }, { asn: 16509 })).toBe(true);
    expect(evaluate(either, { asn: 16509 })).toBe(true);
    expect(evaluate(`(${both}) OR [${UA} = 'x']`, { ua: 'x' })).toBe(true);
    // Three operands: three distinct requests, whichever satisfies what.
    const three = `${both} AND [ipv4-addr:value = '203.0.113.1']`;
    const all = { ua: 'curl/8', asn: 16509, ip: '203.0.113.1' };
    expect(evaluate(three, all, all)).toBe(false);
    expect(evaluate(three, all, all, all)).toBe(true);
    expect(evaluate(three, all, { asn: 16509 }, { ip: '203.0.113.1' })).toBe(true);
    // Two requests satisfying only the first operand leave the others one request for two.
    expect(evaluate(three, { ua: 'curl/1' }, { ua: 'curl/2' }, { asn: 16509, ip: '203.0.113.1' })).toBe(
      false,
    );
    // The same expression twice: two requests.
    const twice = `[${UA} MATCHES '^curl/'] AND [${UA} MATCHES '^curl/']`;
    expect([evaluate(twice, { ua: 'curl/8' }), evaluate(twice, { ua: 'curl/8' }, { ua: 'curl/8' })]).toEqual([
      false,
      true,
    ]);
    // An OR operand binds one request too, distinct from the other operand's.
    const orAnd = `([${UA} = 'x'] OR [autonomous-system:number = 1]) AND [${UA} = 'x']`;
    expect(evaluate(orAnd, { ua: 'x', asn: 1 })).toBe(false);
    expect(evaluate(orAnd, { ua: 'x', asn: 1 }, { asn: 1 })).toBe(true);
  });

  it('says why a shape is outside the subset, and never throws', () => {
    const cases: [string, RegExp][] = [
      ["[ipv4-addr:value = '1.2.3.4'] WITHIN 0 SECONDS", /WITHIN 0 SECONDS/],
      ["[ipv4-addr:value = '1.2.3.4'] REPEATS 0 TIMES", /REPEATS 0 TIMES/],
      [`[ipv4-addr:value = '1.2.3.4'] REPEATS ${TIMED_LIMITS.maxRepeats + 1} TIMES`, /REPEATS more than/],
      ["[ipv4-addr:value = '1.2.3.4'] REPEATS 99999999999999999999999 TIMES", /REPEATS more than/],
      ["([ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES) REPEATS 2 TIMES", /REPEATS twice/],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1] AND [autonomous-system:number = 3]) REPEATS 2 TIMES",
        /k-dimensional matching/,
      ],
      [
        "(([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1]) OR [autonomous-system:number = 3]) REPEATS 2 TIMES",
        /k-dimensional matching/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1]) WITHIN 5 SECONDS REPEATS 2 TIMES",
        /WITHIN before REPEATS on an AND/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [autonomous-system:number = 1]) REPEATS 2 TIMES",
        /REPEATS on a FOLLOWEDBY/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1] AND [autonomous-system:number = 3]) FOLLOWEDBY [autonomous-system:number = 2]",
        /an AND in a FOLLOWEDBY of other than two/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1]) FOLLOWEDBY ([ipv4-addr:value = '1.2.3.5'] AND [autonomous-system:number = 2]) FOLLOWEDBY ([ipv4-addr:value = '1.2.3.6'] AND [autonomous-system:number = 3]) FOLLOWEDBY ([ipv4-addr:value = '1.2.3.7'] AND [autonomous-system:number = 4])",
        /more than 8 orders/,
      ],
      // Each observation expression binds its own request: a timed part's requests are not kept,
      // so whether another operand of its AND can take different ones is not decided.
      [
        "([ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [autonomous-system:number = 1]) AND [autonomous-system:number = 2]",
        /a time-qualified part in an AND/,
      ],
      [
        "(([ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES) AND [autonomous-system:number = 2]) WITHIN 5 SECONDS",
        /a time-qualified part in an AND/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES) AND ([autonomous-system:number = 2] REPEATS 2 TIMES)",
        /a time-qualified part in an AND/,
      ],
      [
        `(${Array.from({ length: TIMED_LIMITS.maxWindowLeaves + 1 }, (_, i) => `[autonomous-system:number = ${i}]`).join(' AND ')}) WITHIN 5 SECONDS`,
        new RegExp(`more than ${TIMED_LIMITS.maxWindowLeaves} observation expressions`),
      ],
      [
        Array.from(
          { length: 7 },
          (_, i) => `([autonomous-system:number = ${i}] OR [autonomous-system:number = 9])`,
        ).join(' AND '),
        new RegExp(`more than ${PATTERN_PROGRAM_LIMITS.maxAlternatives} alternatives`),
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND [autonomous-system:number = 1]) WITHIN 5 SECONDS FOLLOWEDBY [autonomous-system:number = 2]",
        /WITHIN on part of a FOLLOWEDBY/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] AND ([autonomous-system:number = 1] REPEATS 2 TIMES)) FOLLOWEDBY [autonomous-system:number = 2]",
        /an AND in a FOLLOWEDBY of other than two/,
      ],
      [
        "([ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES WITHIN 5 SECONDS) FOLLOWEDBY [autonomous-system:number = 2]",
        /WITHIN on part of a FOLLOWEDBY/,
      ],
      [
        `[ipv4-addr:value = '1.2.3.4'] REPEATS ${TIMED_LIMITS.maxChainSteps} TIMES FOLLOWEDBY [autonomous-system:number = 2]`,
        /FOLLOWEDBY binding more than 30 requests/,
      ],
      [
        `([ipv4-addr:value = '1.2.3.4'])${' WITHIN 5 SECONDS'.repeat(PATTERN_PROGRAM_LIMITS.maxQualifiers + 1)}`,
        /more than 16 qualifiers/,
      ],
      [
        "[file:name = 'x.exe' AND ipv4-addr:value = '1.2.3.4']",
        /property file:name is not one DistillGuard observes/,
      ],
      ["[network-traffic:dst_port = 443 OR ipv4-addr:value = '1.2.3.4']", /network-traffic:dst_port/],
      [`[${UA} ISSUPERSET 'a' OR ${UA} = 'x']`, /ISSUPERSET on the User-Agent header/],
      ["[ipv4-addr:value MATCHES '^1' OR ipv4-addr:value = '1.2.3.4']", /MATCHES on an address/],
      ["[ipv4-addr:value > '1.2.3.4' OR ipv4-addr:value = '1.2.3.4']", /> on an address/],
      ["[autonomous-system:number > '64000' OR autonomous-system:number = 1]", /> on an ASN with string/],
      [`[${UA} < 'b' OR ${UA} = 'x']`, /< on the User-Agent header/],
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
    // One request satisfying both observation expressions binds one of them only (STIX 2.1 §9).
    m.addEvent(request('curl_aws_one', { ip: '198.51.100.5', asn: 16509, user_agent: 'curl/8.7.1' }));
    m.addEvent(request('curl_aws_two', { ip: '198.51.100.5', asn: 16509, user_agent: 'curl/8.7.1' }));
    m.addEvent(request('curl_aws_two', { ip: '198.51.100.5', asn: 16509, user_agent: 'curl/8.7.1' }));
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
      curl_aws_one: [],
      curl_aws_two: [b],
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
        "[ipv4-addr:value = '203.0.113.7'] REPEATS 0 TIMES",
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
      ['REPEATS 0 TIMES (a count must be 1 or more)', 1],
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

describe('a hostile AND of many broad observation expressions', () => {
  // 16 observation expressions, each met by about half the requests (a letter anywhere in the
  // user agent): a request's mask is the set of letters its user agent holds, so an account's
  // requests fall in up to 2^16 sets, all to be matched against the pattern's alternatives.
  const LETTERS = 'abcdefghijklmnop';
  const leaf = (i: number): string => `[${UA} LIKE '%${LETTERS[i]}%']`;
  const all16 = Array.from({ length: 16 }, (_, i) => leaf(i)).join(' AND ');
  // Six ORs of two and four more expressions: 2^6 = 64 alternatives, the most a pattern may have.
  const alts64 = [
    ...Array.from({ length: 6 }, (_, g) => `(${leaf(2 * g)} OR ${leaf(2 * g + 1)})`),
    ...[12, 13, 14, 15].map(leaf),
  ].join(' AND ');
  const broad16 = Array.from({ length: 16 }, () => `[${UA} LIKE '%']`).join(' AND ');
  const patterns = [all16, alts64, broad16];
  /** Per pattern, its alternatives as lists of letters' indices (each an AND on distinct requests). */
  const choices: number[][][] = [
    [Array.from({ length: 16 }, (_, i) => i)],
    Array.from({ length: 64 }, (_, c) => [
      ...Array.from({ length: 6 }, (_, g) => 2 * g + ((c >> g) & 1)),
      12,
      13,
      14,
      15,
    ]),
    [Array.from({ length: 16 }, () => -1)],
  ];
  /** The oracle: distinct requests for an alternative's expressions, by augmenting paths over requests. */
  const bindsDistinct = (alt: number[], uas: string[]): boolean => {
    const owner = new Array<number>(uas.length).fill(-1);
    const fits = (e: number, r: number): boolean => e < 0 || uas[r]!.includes(LETTERS[alt[e]!] ?? '');
    const place = (e: number, seen: Set<number>): boolean =>
      uas.some((_, r) => {
        if (seen.has(r) || !fits(e, r)) return false;
        seen.add(r);
        if (owner[r] === -1 || place(owner[r]!, seen)) return ((owner[r] = e), true);
        return false;
      });
    return alt.every((_, e) => place(e, new Set()));
  };

  it('keeps at most 16 × 16 requests per account and pattern, whatever the traffic, and answers exactly', () => {
    const m = new IntelMatcher(campaign(patterns), ring, now);
    expect([m.indicators, [...m.unsupported]]).toEqual([2 + patterns.length, []]);
    let seed = 99;
    const rnd = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * k);
    };
    const accounts = 200;
    const want: Record<string, string[]> = {};
    for (let a = 0; a < accounts; a++) {
      // Dense or sparse letters; one letter rare (in the first few requests only, or none).
      const density = [0.15, 0.5, 0.9][a % 3]!;
      const rare = rnd(16);
      const rareIn = rnd(3);
      // Most accounts a few requests, some thousands (each of its own letters).
      const uas = Array.from({ length: a % 20 === 0 ? 3000 : 5 + rnd(120) }, (_, r) => {
        let ua = 'Z/';
        for (let i = 0; i < 16; i++)
          if (i === rare ? r < rareIn : rnd(1000) < density * 1000) ua += LETTERS[i];
        return ua;
      });
      for (const ua of uas) m.addEvent(request(`h${a}`, { ip: '203.0.113.1', user_agent: ua }));
      want[`h${a}`] = patterns.flatMap((_, p) =>
        choices[p]!.some((alt) => bindsDistinct(alt, uas)) ? [indicator(10 + p, '').id] : [],
      );
    }
    const got = Object.fromEntries(
      [...m.matches()].map(([acct, list]) => [
        acct,
        list.flatMap((c) => c.hits.filter((h) => h.ind.program).map((h) => h.ind.id)).sort(),
      ]),
    );
    expect(got).toEqual(want);
    // Some accounts match each pattern and some do not (the cases are not all one answer).
    for (let p = 0; p < patterns.length - 1; p++) {
      const n = Object.values(want).filter((ids) => ids.includes(indicator(10 + p, '').id)).length;
      expect([p, n > 10 && n < accounts - 10]).toEqual([p, true]);
    }
    // Per account and pattern: at most the first 16 requests of each of 16 expressions kept (an
    // account of 3,000 requests, up to 3,000 sets of expressions, keeps no more), held as two
    // numbers per set of expressions beside the state's own overhead, all in the matcher's figure.
    const states = new Set<MaskCounts>();
    for (const [acct, list] of m.matches())
      for (const h of list.flatMap((c) => c.hits))
        if (h.counts) {
          const kept = [...h.counts.byMask.values()].reduce((x, y) => x + y, 0);
          expect([acct, kept <= 16 * 16]).toEqual([acct, true]);
          states.add(h.counts);
        }
    const held = [...states].reduce((n, c) => n + TIMED_LIMITS.stateOverhead + 2 * c.byMask.size, 0);
    // (States of accounts not matched are not listed by matches(), so at least those listed.)
    expect(m.stateHeld).toBeGreaterThanOrEqual(held);
    expect(m.stateHeld).toBeLessThanOrEqual(
      accounts * patterns.length * (TIMED_LIMITS.stateOverhead + 2 * 16 * 16),
    );
  });

  it('counts under the bound timed states share: past it an account is not counted further, and never matches for it', () => {
    const m = new IntelMatcher(campaign([`[${UA} = 'bot'] AND [autonomous-system:number = 1]`]), ring, now);
    const bot = (acct: string, asn: number): ApiEvent =>
      request(acct, { ip: '203.0.113.1', asn, user_agent: 'bot' });
    // Each account's counts: the state's own cost plus one set of expressions (two numbers).
    const per = TIMED_LIMITS.stateOverhead + 2;
    const fit = Math.floor(TIMED_LIMITS.maxHeldTimes / per);
    for (let i = 0; i < fit; i++) m.addEvent(bot(`a${i}`, 2));
    expect([m.stateHeld, m.countsRefused]).toEqual([fit * per, 0]);
    // No room for another state: a new account's requests are not counted, so it never matches.
    m.addEvent(bot('new', 2));
    m.addEvent(bot('new', 1));
    expect(m.countsRefused).toBe(2);
    // Accounts counted already add their sets while there is room for them, then not.
    const room = (TIMED_LIMITS.maxHeldTimes - fit * per) / 2;
    for (let i = 0; i <= room; i++) m.addEvent(bot(`a${i}`, 1));
    expect([m.stateHeld, m.countsRefused]).toEqual([TIMED_LIMITS.maxHeldTimes, 3]);
    const hits = patternHits(m);
    const matched = (a: string): number => hits[a]?.length ?? 0;
    expect([matched('a0'), matched(`a${room - 1}`), matched(`a${room}`), matched('new')]).toEqual([
      1, 1, 0, 0,
    ]);
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

describe('time-qualified patterns (WITHIN, REPEATS, START … STOP, FOLLOWEDBY) per account', () => {
  /** One account's requests, in log order: seconds after a base time and the client. */
  type Timed = { s: number; c: ApiEvent['client'] };
  const BASE = Date.parse('2026-11-20T10:00:00Z');
  const iso = (s: number): string => new Date(BASE + s * 1000).toISOString();

  /** The accounts a pattern hits through IntelMatcher, the requests fed in log order. */
  function hitAccounts(pattern: string, accounts: Map<string, Timed[]>): Set<string> {
    const m = new IntelMatcher(campaign([pattern]), ring, now);
    expect([pattern, m.indicators, [...m.unsupported]]).toEqual([pattern, 3, []]);
    for (const [acct, reqs] of accounts)
      for (const r of reqs) m.addEvent({ ...request(acct, r.c), ts: iso(r.s) });
    return new Set(Object.entries(patternHits(m)).flatMap(([a, l]) => (l.length ? [a] : [])));
  }

  it('REPEATS counts distinct requests; WITHIN bounds the span of what it follows; START … STOP excludes STOP', () => {
    const ua = (u: string): ApiEvent['client'] => ({ ip: '203.0.113.1', user_agent: u });
    const accounts = new Map<string, Timed[]>([
      ['three_in_10s', [0, 4, 10].map((s) => ({ s, c: ua('bot') }))],
      ['three_in_11s', [0, 4, 11].map((s) => ({ s, c: ua('bot') }))],
      ['two', [0, 1].map((s) => ({ s, c: ua('bot') }))],
      ['three_spread_then_close', [0, 100, 200, 205, 209].map((s) => ({ s, c: ua('bot') }))],
      ['at_stop', [3600].map((s) => ({ s, c: ua('bot') }))],
      ['at_start', [0].map((s) => ({ s, c: ua('bot') }))],
    ]);
    const bot = `[${UA} = 'bot']`;
    expect(hitAccounts(`${bot} REPEATS 3 TIMES WITHIN 10 SECONDS`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_spread_then_close']),
    );
    // WITHIN first bounds one request (always met), then REPEATS counts.
    expect(hitAccounts(`${bot} WITHIN 10 SECONDS REPEATS 3 TIMES`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_in_11s', 'three_spread_then_close']),
    );
    expect(hitAccounts(`(${bot} REPEATS 3 TIMES) WITHIN 10 SECONDS`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_spread_then_close']),
    );
    // A huge window is no window; a float window is to the millisecond.
    expect(hitAccounts(`${bot} REPEATS 3 TIMES WITHIN 99999999999999999999999 SECONDS`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_in_11s', 'three_spread_then_close']),
    );
    expect(hitAccounts(`${bot} REPEATS 3 TIMES WITHIN 10.999 SECONDS`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_spread_then_close']),
    );
    const range = `START t'${iso(0).replace('.000', '')}' STOP t'${iso(3600).replace('.000', '')}'`;
    expect(hitAccounts(`${bot} ${range}`, accounts)).toEqual(
      new Set(['three_in_10s', 'three_in_11s', 'two', 'three_spread_then_close', 'at_start']),
    );
    // START after STOP: never.
    expect(
      hitAccounts(`${bot} START t'2026-11-20T11:00:00Z' STOP t'2026-11-20T10:00:00Z'`, accounts),
    ).toEqual(new Set());
  });

  it('FOLLOWEDBY needs distinct requests in order of time; timed parts never hold on an account record', () => {
    const c = (user_agent: string, asn = 1): ApiEvent['client'] => ({ ip: '203.0.113.1', asn, user_agent });
    const accounts = new Map<string, Timed[]>([
      [
        'in_order',
        [
          { s: 0, c: c('login') },
          { s: 5, c: c('scrape') },
        ],
      ],
      [
        'reversed',
        [
          { s: 0, c: c('scrape') },
          { s: 5, c: c('login') },
        ],
      ],
      // At one same time the log's order does not matter (times only need not decrease).
      [
        'same_time_logged_reversed',
        [
          { s: 3, c: c('scrape') },
          { s: 3, c: c('login') },
        ],
      ],
      // One request satisfying both steps is not two.
      ['one_request', [{ s: 0, c: c('login', 7) }]],
      [
        'two_requests_same_time',
        [
          { s: 0, c: c('login', 7) },
          { s: 0, c: c('login', 7) },
        ],
      ],
      [
        'too_slow',
        [
          { s: 0, c: c('login') },
          { s: 61, c: c('scrape') },
        ],
      ],
    ]);
    const chain = `[${UA} = 'login'] FOLLOWEDBY ([${UA} = 'scrape'] OR [autonomous-system:number = 7])`;
    // A compound step (issue 19; refused before): no window, so too_slow holds.
    expect(hitAccounts(chain, accounts)).toEqual(
      new Set(['in_order', 'two_requests_same_time', 'same_time_logged_reversed', 'too_slow']),
    );
    // REPEATS on the first step, written without parentheses: two logins, then a scrape (or
    // ASN 7, which a third request of the same time satisfying both may give).
    const twice = `[${UA} = 'login'] REPEATS 2 TIMES FOLLOWEDBY [${UA} = 'scrape' OR autonomous-system:number = 7]`;
    const logins = (...reqs: [number, string, number?][]): Timed[] =>
      reqs.map(([s, u, a]) => ({ s, c: c(u, a) }));
    expect(
      hitAccounts(
        twice,
        new Map([
          ['two_then_scrape', logins([0, 'login'], [1, 'login'], [1, 'scrape'])],
          ['one_then_scrape', logins([0, 'login'], [1, 'scrape'], [2, 'scrape'])],
          ['scrape_between', logins([0, 'login'], [1, 'scrape'], [2, 'login'])],
          ['three_same_time', logins([4, 'login', 7], [4, 'login', 7], [4, 'login', 7])],
          ['two_same_time', logins([4, 'login', 7], [4, 'login', 7])],
        ]),
      ),
    ).toEqual(new Set(['two_then_scrape', 'three_same_time']));
    const ok = `([${UA} = 'login'] FOLLOWEDBY [${UA} = 'scrape' OR autonomous-system:number = 7]) WITHIN 60 SECONDS`;
    expect(hitAccounts(ok, accounts)).toEqual(
      new Set(['in_order', 'two_requests_same_time', 'same_time_logged_reversed']),
    );
    const m = new IntelMatcher(campaign([`[ipv4-addr:value = '203.0.113.1'] WITHIN 5 SECONDS`]), ring, now);
    m.addAccount({ account_id: 'signup', signup_ip: '203.0.113.1' });
    m.addEvent({ ...request('req', { ip: '203.0.113.1' }), ts: iso(0) });
    expect(patternHits(m)).toEqual({ signup: [], req: [expect.stringMatching(/^STIX pattern/)] });
  });

  it('an AND binds each operand to its own request in REPEATS, FOLLOWEDBY and a window', () => {
    const c = (user_agent: string, asn = 1): ApiEvent['client'] => ({ ip: '203.0.113.1', asn, user_agent });
    const both = (n: number, from = 0): Timed[] =>
      Array.from({ length: n }, (_, i) => ({ s: from + i, c: c('a', 7) }));
    const accounts = new Map<string, Timed[]>([
      ['one_both', both(1)],
      ['two_both', both(2)],
      ['three_both', both(3)],
      ['four_both', both(4)],
      ['one_both_then_b', [...both(1), { s: 9, c: c('b') }]],
      ['two_both_then_b', [...both(2), { s: 9, c: c('b') }]],
      [
        'split',
        [
          { s: 0, c: c('a') },
          { s: 1, c: c('x', 7) },
          { s: 9, c: c('b') },
        ],
      ],
      [
        'split_far',
        [
          { s: 0, c: c('a') },
          { s: 30, c: c('x', 7) },
          { s: 31, c: c('b') },
        ],
      ],
    ]);
    const and = `[${UA} = 'a'] AND [autonomous-system:number = 7]`;
    // Two repetitions of the pair: four distinct requests (stix2-matcher: n disjoint bindings, each of two).
    expect(hitAccounts(`(${and}) REPEATS 2 TIMES`, accounts)).toEqual(new Set(['four_both']));
    expect(hitAccounts(`(${and}) REPEATS 1 TIMES`, accounts)).toEqual(
      new Set(['two_both', 'three_both', 'four_both', 'two_both_then_b', 'split', 'split_far']),
    );
    expect(hitAccounts(`(${and}) FOLLOWEDBY [${UA} = 'b']`, accounts)).toEqual(
      new Set(['two_both_then_b', 'split', 'split_far']),
    );
    expect(hitAccounts(`(${and}) WITHIN 5 SECONDS`, accounts)).toEqual(
      new Set(['two_both', 'three_both', 'four_both', 'two_both_then_b', 'split']),
    );
  });

  it("a flood of one second's requests does not hide a later request of that second", () => {
    const c = (user_agent: string): ApiEvent['client'] => ({ ip: '203.0.113.1', user_agent });
    const flood = (last: string): Timed[] => [
      ...Array.from({ length: 20_000 }, () => ({ s: 7, c: c('scrape') })),
      { s: 7, c: c(last) },
    ];
    const accounts = new Map<string, Timed[]>([
      // Logged after 20,000 of the second step at one time: still first in time (times tie).
      ['flood_then_login', flood('login')],
      ['flood_only', flood('scrape')],
      ['flood_then_login_later', [...flood('scrape'), { s: 8, c: c('login') }]],
    ]);
    const chain = `[${UA} = 'login'] FOLLOWEDBY [${UA} = 'scrape']`;
    expect(hitAccounts(chain, accounts)).toEqual(new Set(['flood_then_login']));
  });

  it('bounds what accounts hold: past TIMED_LIMITS.maxHeldTimes states stop and new ones are not made', () => {
    const m = new IntelMatcher(
      campaign([
        `[ipv4-addr:value = '203.0.113.1'] REPEATS ${TIMED_LIMITS.maxRepeats} TIMES WITHIN 3600 SECONDS`,
      ]),
      ring,
      now,
    );
    // Each account's state: its own cost plus one time per request in the hour, never met.
    const per = TIMED_LIMITS.stateOverhead + 1;
    const fit = Math.floor(TIMED_LIMITS.maxHeldTimes / per);
    for (let i = 0; i < fit + 5; i++) m.addEvent({ ...request(`a${i}`, { ip: '203.0.113.1' }), ts: iso(0) });
    expect(m.timedRefused).toBe(5);
    // Accounts, not requests: a refused account's later requests are refused too, counted once.
    for (let k = 0; k < 3; k++) m.addEvent({ ...request(`a${fit + 4}`, { ip: '203.0.113.1' }), ts: iso(0) });
    expect(m.timedRefused).toBe(5);
    // At the bound: an account whose state grows past it stops (and holds nothing more).
    const room = TIMED_LIMITS.maxHeldTimes - fit * per;
    for (let k = 1; k <= room; k++) m.addEvent({ ...request('a0', { ip: '203.0.113.1' }), ts: iso(k) });
    expect(m.timedRefused).toBe(5);
    m.addEvent({ ...request('a0', { ip: '203.0.113.1' }), ts: iso(room + 1) });
    expect(m.timedRefused).toBe(6);
    const few = new IntelMatcher(
      campaign([
        `[ipv4-addr:value = '203.0.113.1'] REPEATS ${TIMED_LIMITS.maxRepeats} TIMES WITHIN 3600 SECONDS`,
      ]),
      ring,
      now,
    );
    for (let i = 0; i < TIMED_LIMITS.maxRepeats; i++)
      few.addEvent({ ...request(i === 0 ? 'b' : 'a', { ip: '203.0.113.1' }), ts: iso(i) });
    expect([
      Object.keys(patternHits(few)).filter((a) => patternHits(few)[a]!.length),
      few.timedRefused,
    ]).toEqual([[], 0]);
    few.addEvent({ ...request('a', { ip: '203.0.113.1' }), ts: iso(TIMED_LIMITS.maxRepeats) });
    expect(patternHits(few)['a']).toHaveLength(1);
  });

  it('leaves out of timed parts a request earlier than one already taken for the account', () => {
    const m = new IntelMatcher(campaign([`[${UA} = 'bot'] REPEATS 2 TIMES WITHIN 10 SECONDS`]), ring, now);
    // Times 100 then 0 then 5: 0 and 5 are within 10 s, but 0 came after 100 in the log.
    for (const [acct, s] of [
      ['late', 100],
      ['late', 0],
      ['late', 5],
      ['ordered', 0],
      ['ordered', 5],
    ] as const)
      m.addEvent({ ...request(acct, { ip: '203.0.113.1', user_agent: 'bot' }), ts: iso(s) });
    expect([patternHits(m), m.timedLate]).toEqual([
      { late: [], ordered: [expect.stringMatching(/^STIX pattern/)] },
      2,
    ]);
  });

  /** One generated request of the oracles: seconds after BASE, its user agent and ASN. */
  type Req = { s: number; ua: string; asn: number };
  /** Seeded numbers below k, and sequences of up to `max` (8) requests in order of time (times repeat). */
  const generator = (start: number): { rnd: (k: number) => number; sequence: (max?: number) => Req[] } => {
    let seed = start;
    const rnd = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * k);
    };
    const sequence = (max = 8): Req[] => {
      const out: Req[] = [];
      let s = 0;
      for (let i = rnd(max + 1); i > 0; i--) {
        s += [0, 0, 1, 2, 3, 5, 8, 13][rnd(8)]!;
        out.push({ s, ua: 'abc'[rnd(3)]!, asn: 1 + rnd(3) });
      }
      return out;
    };
    return { rnd, sequence };
  };
  /** The accounts IntelMatcher hits on 150 generated accounts are those the oracle says. */
  function agrees(pattern: string, holds: (rs: Req[]) => boolean, sequence: () => Req[]): void {
    const accounts = new Map<string, Timed[]>();
    const want = new Set<string>();
    for (let a = 0; a < 150; a++) {
      const rs = sequence();
      accounts.set(
        `acct${a}`,
        rs.map((r) => ({ s: r.s, c: { ip: '203.0.113.1', asn: r.asn, user_agent: r.ua } })),
      );
      if (holds(rs)) want.add(`acct${a}`);
    }
    if (process.env.DG_ORACLE_STATS) console.log(want.size, pattern);
    expect(hitAccounts(pattern, accounts)).toEqual(want);
  }

  /**
   * The oracle: STIX 2.1 bindings over point observations, by brute force over every subset or
   * tuple of an account's requests (FOLLOWEDBY: distinct requests, times not decreasing, any
   * log order at one same time). Independent of TimedState's streaming summaries.
   */
  describe('agrees with a brute-force oracle on generated request sequences', () => {
    const leafOf: Record<string, (r: Req) => boolean> = {
      [`[${UA} = 'a']`]: (r) => r.ua === 'a',
      '[autonomous-system:number >= 2]': (r) => r.asn >= 2,
      [`[${UA} != 'c' AND autonomous-system:number < 3]`]: (r) => r.ua !== 'c' && r.asn < 3,
    };
    const LEAVES = Object.keys(leafOf);
    const inRange = (r: Req, from: number, to: number): boolean => r.s >= from && r.s < to;
    const subsets = <T>(xs: T[], k: number): T[][] =>
      k === 0 ? [[]] : xs.flatMap((x, i) => subsets(xs.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
    const span = (rs: Req[]): number => Math.max(...rs.map((r) => r.s)) - Math.min(...rs.map((r) => r.s));

    const { rnd, sequence } = generator(12345);
    const range = (): { text: string; from: number; to: number } => {
      const from = rnd(20);
      const to = from + rnd(30);
      const t = (x: number): string => `t'${iso(x).replace('.000', '')}'`;
      return { text: ` START ${t(from)} STOP ${t(to)}`, from, to };
    };

    type Case = { pattern: string; holds: (rs: Req[]) => boolean };
    const cases: Case[] = [];
    for (let i = 0; i < 60; i++) {
      const leaf = LEAVES[rnd(3)]!;
      const times = 1 + rnd(4);
      const w = [1, 2.5, 5, 10, 30][rnd(5)]!;
      const r = rnd(2) ? range() : { text: '', from: -Infinity, to: Infinity };
      const withinFirst = rnd(3) === 0;
      const pattern = withinFirst
        ? `${leaf} WITHIN ${w} SECONDS REPEATS ${times} TIMES${r.text}`
        : `${leaf} REPEATS ${times} TIMES WITHIN ${w} SECONDS${r.text}`;
      const window = withinFirst ? Infinity : w;
      cases.push({
        pattern,
        holds: (rs) =>
          subsets(
            rs.filter((x) => leafOf[leaf]!(x) && inRange(x, r.from, r.to)),
            times,
          ).some((b) => span(b) <= window),
      });
      // FOLLOWEDBY chains of two or three steps, some in a window and a range.
      const steps = Array.from({ length: 2 + rnd(2) }, () => LEAVES[rnd(3)]!);
      const cw = rnd(2) ? w : Infinity;
      const cr = rnd(2) ? range() : { text: '', from: -Infinity, to: Infinity };
      const chain = steps.join(' FOLLOWEDBY ');
      cases.push({
        pattern:
          cw === Infinity && !cr.text
            ? chain
            : `(${chain})${cw < Infinity ? ` WITHIN ${cw} SECONDS` : ''}${cr.text}`,
        holds: (rs) => {
          const idx = rs.map((_, j) => j).filter((j) => inRange(rs[j]!, cr.from, cr.to));
          // Distinct requests, in any log order, at times not decreasing step to step.
          const tuples = (k: number, used: number[]): number[][] =>
            k === steps.length
              ? [used]
              : idx
                  .filter(
                    (j) =>
                      !used.includes(j) &&
                      leafOf[steps[k]!]!(rs[j]!) &&
                      (!used.length || rs[j]!.s >= rs[used[used.length - 1]!]!.s),
                  )
                  .flatMap((j) => tuples(k + 1, [...used, j]));
          return tuples(0, []).some((t) => span(t.map((j) => rs[j]!)) <= cw);
        },
      });
      // AND / OR of observation expressions in a window: the AND's operands on distinct requests.
      const [x, y, z] = [LEAVES[rnd(3)]!, LEAVES[rnd(3)]!, LEAVES[rnd(3)]!];
      const ww = [1, 2.5, 5, 10][rnd(4)]!;
      const wr = rnd(2) ? range() : { text: '', from: -Infinity, to: Infinity };
      cases.push({
        pattern: `(${x} AND (${y} OR ${z})) WITHIN ${ww} SECONDS${wr.text}`,
        holds: (rs) =>
          rs.some((first) => {
            const win = rs.filter((q) => q.s >= first.s && q.s - first.s <= ww && inRange(q, wr.from, wr.to));
            return win.some(
              (p, i) => leafOf[x]!(p) && win.some((q, j) => j !== i && (leafOf[y]!(q) || leafOf[z]!(q))),
            );
          }),
      });
      // Untimed AND of three (each on its own request) and AND of an OR.
      const [u, v, w2] = [LEAVES[rnd(3)]!, LEAVES[rnd(3)]!, LEAVES[rnd(3)]!];
      cases.push({
        pattern: `${u} AND ${v} AND ${w2}`,
        holds: (rs) =>
          subsets(
            rs.map((_, j) => j),
            3,
          ).some((t) =>
            [
              [0, 1, 2],
              [0, 2, 1],
              [1, 0, 2],
              [1, 2, 0],
              [2, 0, 1],
              [2, 1, 0],
            ].some(
              ([a, b, c]) => leafOf[u]!(rs[t[a!]!]!) && leafOf[v]!(rs[t[b!]!]!) && leafOf[w2]!(rs[t[c!]!]!),
            ),
          ),
      });
      cases.push({
        pattern: `(${u} OR ${v}) AND ${w2}`,
        holds: (rs) =>
          rs.some((p, i) => (leafOf[u]!(p) || leafOf[v]!(p)) && rs.some((q, j) => j !== i && leafOf[w2]!(q))),
      });
    }

    it.each(cases.map((c) => [c.pattern, c] as const))('%s', (_, c) => agrees(c.pattern, c.holds, sequence));
  });

  /**
   * Compound shapes (issue 19): REPEATS on an AND / OR, FOLLOWEDBY of compound or qualified
   * operands, timed parts inside a qualified AND / OR. The oracle computes every binding of each
   * observation expression as a set of requests (a bitmask over an account's at most 8), by
   * brute force: OR either side's; AND the union of one of each, disjoint (each observation
   * expression binds its own request, STIX 2.1 §9, as stix2-matcher's AND joins only bindings
   * with no observation in common); REPEATS n unions of n pairwise disjoint; FOLLOWEDBY disjoint
   * pairs, the left's latest time at or before the right's earliest; WITHIN those spanning at
   * most s; START … STOP those all in range. Met when the whole pattern has a binding.
   */
  describe('compound time-qualified shapes agree with a brute-force binding oracle', () => {
    type Qual = { rep: number } | { within: number } | { from: number; to: number };
    type E =
      | { k: 'leaf'; text: string; test: (r: Req) => boolean }
      | { k: 'and' | 'or' | 'fb'; of: E[] }
      | { k: 'q'; e: E; quals: Qual[] };
    const LEAVES: E[] = [
      { k: 'leaf', text: `[${UA} = 'a']`, test: (r) => r.ua === 'a' },
      { k: 'leaf', text: '[autonomous-system:number >= 2]', test: (r) => r.asn >= 2 },
      {
        k: 'leaf',
        text: `[${UA} != 'c' AND autonomous-system:number < 3]`,
        test: (r) => r.ua !== 'c' && r.asn < 3,
      },
    ];
    const stamp = (x: number): string => `t'${iso(x).replace('.000', '')}'`;
    const text = (e: E): string => {
      if (e.k === 'leaf') return e.text;
      if (e.k === 'q')
        return `(${text(e.e)})${e.quals
          .map((q) =>
            'rep' in q
              ? ` REPEATS ${q.rep} TIMES`
              : 'within' in q
                ? ` WITHIN ${q.within} SECONDS`
                : ` START ${stamp(q.from)} STOP ${stamp(q.to)}`,
          )
          .join('')}`;
      const op = { and: ' AND ', or: ' OR ', fb: ' FOLLOWEDBY ' }[e.k];
      return e.of.map((x) => (x.k === 'leaf' ? text(x) : `(${text(x)})`)).join(op);
    };

    /** Every binding of `e` over `rs`, as bitmasks of request indices. */
    const bindings = (e: E, rs: Req[]): Set<number> => {
      const times = (b: number): number[] => rs.flatMap((r, j) => (b & (1 << j) ? [r.s] : []));
      if (e.k === 'leaf') return new Set(rs.flatMap((r, j) => (e.test(r) ? [1 << j] : [])));
      if (e.k === 'q') {
        let out = bindings(e.e, rs);
        for (const q of e.quals) {
          if ('rep' in q) {
            // n pairwise disjoint bindings, as their union (each new one disjoint from the union so far).
            let acc = new Set<number>([0]);
            const base = [...out];
            for (let k = 0; k < q.rep; k++) {
              const next = new Set<number>();
              // Disjoint unions; counting each set of n once is not needed for existence.
              for (const a of acc) for (const b of base) if (!(a & b)) next.add(a | b);
              acc = next;
            }
            out = acc;
          } else if ('within' in q) {
            out = new Set([...out].filter((b) => Math.max(...times(b)) - Math.min(...times(b)) <= q.within));
          } else {
            out = new Set([...out].filter((b) => times(b).every((t) => t >= q.from && t < q.to)));
          }
        }
        return out;
      }
      const parts = e.of.map((x) => bindings(x, rs));
      if (e.k === 'or') return new Set(parts.flatMap((p) => [...p]));
      return parts.reduce((acc, p) => {
        const next = new Set<number>();
        for (const a of acc)
          for (const b of p)
            if (e.k === 'and') {
              if (!(a & b)) next.add(a | b);
            } else if (!(a & b) && Math.max(...times(a)) <= Math.min(...times(b))) next.add(a | b);
        return next;
      });
    };

    const { rnd, sequence } = generator(4242);
    const leaf = (): E => LEAVES[rnd(3)]!;
    const orSet = (): E => (rnd(2) ? leaf() : { k: 'or', of: [leaf(), leaf()] });
    const window = (): number => [1, 2.5, 5, 10, 30][rnd(5)]!;
    const range = (): Qual => {
      const from = rnd(20);
      return { from, to: from + rnd(30) };
    };
    const maybe = (q: () => Qual): Qual[] => (rnd(2) ? [q()] : []);

    /** A FOLLOWEDBY operand: an OR of [...] with REPEATS and/or a range, an AND of two, or a FOLLOWEDBY inside. */
    // ANDs in the chain being generated: at most three (eight orders; four would be refused).
    let ands = 0;
    const fbOperand = (depth: number): E => {
      const r = rnd(6);
      if (r === 0 && depth === 0) return { k: 'fb', of: [orSet(), orSet()] };
      // An AND of two (two requests, in either order), in a range or not.
      if (r === 5 && depth === 0 && ands < 3) {
        ands++;
        const and: E = { k: 'and', of: [orSet(), orSet()] };
        return rnd(2) ? and : { k: 'q', e: and, quals: [range()] };
      }
      if (r <= 2) return orSet();
      const quals: Qual[] = [{ rep: 1 + rnd(3) }, ...maybe(range)];
      // A window before REPEATS bounds one request (always met).
      if (rnd(4) === 0) quals.unshift({ within: window() });
      return { k: 'q', e: orSet(), quals };
    };
    /** A timed operand of a qualified AND / OR. */
    const timedPart = (): E => {
      switch (rnd(5)) {
        case 4:
          return {
            k: 'q',
            e: { k: 'and', of: [orSet(), orSet()] },
            quals: [{ rep: 1 + rnd(2) }, ...maybe(() => ({ within: window() }))],
          };
        case 0:
          return { k: 'q', e: orSet(), quals: [{ rep: 2 + rnd(2) }, ...maybe(() => ({ within: window() }))] };
        case 1:
          return {
            k: 'q',
            e: { k: 'fb', of: [leaf(), orSet()] },
            quals: maybe(() => ({ within: window() })),
          };
        case 2:
          return {
            k: 'q',
            e: { k: rnd(2) ? 'and' : 'or', of: [leaf(), leaf()] },
            quals: [{ within: window() }],
          };
        default:
          return { k: 'q', e: leaf(), quals: [{ rep: 2 }, range()] };
      }
    };

    const cases: E[] = [];
    for (let i = 0; i < 40; i++) {
      // REPEATS on an OR (two or three) or an AND of two ORs of [...], a window and a range or not.
      const kind = rnd(3);
      const inner: E =
        kind === 0
          ? { k: 'or', of: [leaf(), leaf(), ...(rnd(2) ? [leaf()] : [])] }
          : { k: 'and', of: [orSet(), orSet()] };
      cases.push({
        k: 'q',
        e: inner,
        quals: [{ rep: 1 + rnd(3) }, ...maybe(() => ({ within: window() })), ...maybe(range)],
      });
      // FOLLOWEDBY of compound and qualified operands, in a window and a range or not.
      ands = 0;
      const chain: E = { k: 'fb', of: Array.from({ length: 2 + rnd(2) }, () => fbOperand(0)) };
      const quals = [...maybe(() => ({ within: window() })), ...maybe(range)];
      cases.push(quals.length ? { k: 'q', e: chain, quals } : chain);
      // Timed parts inside a qualified OR (an AND of one with anything else is refused, below).
      cases.push({
        k: 'q',
        e: { k: 'or', of: [timedPart(), rnd(2) ? leaf() : timedPart()] },
        quals: [{ within: window() }, ...maybe(range)],
      });
      // AND / OR of observation expressions (an OR inside), in a window and a range or not.
      cases.push({
        k: 'q',
        e: { k: 'and', of: [orSet(), orSet(), ...(rnd(2) ? [leaf()] : [])] },
        quals: [{ within: window() }, ...maybe(range)],
      });
    }

    it.each(cases.map((c) => [text(c), c] as const))('%s', (pattern, c) =>
      agrees(pattern, (rs) => bindings(c, rs).size > 0, sequence),
    );

    // Untimed ANDs and ORs of up to 6 observation expressions (a text may repeat, each its own
    // expression) over up to 12 requests: more requests satisfy one expression than the pattern
    // binds, so which of them an account keeps (the first k of each, countMask) is put to the test.
    const untimed: E[] = [];
    for (let i = 0; i < 30; i++) {
      let budget = 6;
      const operand = (): E => {
        const r = budget >= 2 ? rnd(4) : 0;
        if (r < 2) {
          budget--;
          return leaf();
        }
        budget -= 2;
        return { k: r === 2 ? 'or' : 'and', of: [leaf(), leaf()] };
      };
      const of = [operand(), operand()];
      while (budget > 0 && rnd(3)) of.push(operand());
      untimed.push(
        rnd(4) ? { k: 'and', of } : { k: 'or', of: [{ k: 'and', of: of.slice(0, 2) }, ...of.slice(2)] },
      );
    }
    it.each(untimed.map((c) => [text(c), c] as const))('%s', (pattern, c) =>
      agrees(
        pattern,
        (rs) => bindings(c, rs).size > 0,
        () => sequence(12),
      ),
    );
  });
});

describe('what matched is bounded (MATCH_LIMITS)', () => {
  it('holds at most maxHits hits: past it a new account is not recorded and is counted, old ones go on', () => {
    // Received indicators that match every client (0.0.0.0/0), against more accounts than the bound.
    const m = new IntelMatcher(campaign([]), ring, now);
    const max = MATCH_LIMITS.maxHits;
    for (let i = 0; i < max + 3; i++) m.addEvent(request(`a${i}`, { ip: '198.51.100.7' }));
    expect(m.hitsRefused).toBe(3);
    m.addEvent(request(`a${max + 1}`, { ip: '198.51.100.7' })); // refused again: one account, counted once
    expect(m.hitsRefused).toBe(3);
    m.addEvent(request('a0', { ip: '198.51.100.7' }));
    const matches = m.matches();
    expect(matches.size).toBe(max);
    expect(matches.has(`a${max}`)).toBe(false);
    expect(matches.get('a0')![0]!.hits[0]!.events).toBe(2);
  });
});
