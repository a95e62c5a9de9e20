import { describe, expect, it } from 'vitest';
import type { AccountRecord, ApiEvent, Findings, StixObject } from '../../contracts/index.js';
import { keyRingFrom } from './community-key.js';
import { exportBundle } from '../stix/export-bundle.js';
import { IntelMatcher, UA_REGEX_LIMITS } from './matcher.js';
import { compileStixRegex } from '../stix/stix-regex.js';
import type { StixRegex } from '../stix/stix-regex-vm.js';
import { policyFrom } from '../policy/sharing-policy.js';
import { findingsOf, HARVEST_TASKS } from '../../../test/findings-fixture.js';
import { fixtureId, indicatedCampaign, stixIndicator } from '../../../test/stix-fixtures.js';

const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const TASKS = HARVEST_TASKS;
const wrap = (t: string): string =>
  `You are an expert tutor. Think step by step and show your full reasoning before you answer. Task: ${t}. Reply in JSON with reasoning and answer fields only please.`;

function org(
  prefix: string,
  ipBase: string,
  tasks: string[],
): { events: ApiEvent[]; accounts: AccountRecord[] } {
  const accounts = [1, 2, 3, 4].map((i) => ({
    account_id: `${prefix}${i}`,
    payment_fingerprint: 'pf_actor_card',
  }));
  const events: ApiEvent[] = [];
  let n = 0;
  for (const a of accounts)
    for (const t of tasks)
      events.push({
        id: `${prefix}ev${n++}`,
        ts: '2026-11-20T10:00:00Z',
        account_id: a.account_id,
        model: 'm',
        client: { ip: `${ipBase}.${(n % 50) + 1}`, asn: 64999, user_agent: 'harvest-client/2.1' },
        request: { messages: [{ role: 'user', content: wrap(t) }] },
      });
  // A benign user elsewhere.
  events.push({
    id: `${prefix}benign`,
    ts: '2026-11-20T11:00:00Z',
    account_id: `${prefix}benign`,
    model: 'm',
    client: { ip: '192.0.2.10', asn: 65001, user_agent: 'Mozilla/5.0' },
    request: { messages: [{ role: 'user', content: 'What is a good name for a cat?' }] },
  });
  return { events, accounts };
}

async function publishedByA(now: Date) {
  const a = org('a_', '203.0.113', TASKS);
  const findings: Findings = findingsOf(
    {
      accounts: [],
      clusters: [
        {
          cluster_id: 'c',
          account_ids: a.accounts.map((x) => x.account_id),
          score: 0.9,
          level: 'act',
          events: 20,
          links: [],
          signals: [],
        },
      ],
    },
    { events: a.events.length, accounts: 5 },
    now.toISOString(),
  );
  const r = await exportBundle({
    findings,
    events: a.events,
    accounts: a.accounts,
    publisher: { name: 'org-a' },
    keyRing: ring,
    policy: policyFrom({}),
    now,
  });
  return r.bundle.objects ?? [];
}

/** One request of `account_id` from a client. */
const request = (account_id: string, client: ApiEvent['client']): ApiEvent => ({
  id: `e_${account_id}`,
  ts: '2026-11-20T10:00:00Z',
  account_id,
  model: 'm',
  client,
  request: { messages: [{ role: 'user', content: 'hi' }] },
});

describe('intel matcher', () => {
  const now = new Date('2026-11-21T00:00:00Z');

  it('finds the same actor under other account ids by keyed hashes, network and template, not the benign user', async () => {
    const received = await publishedByA(now);
    const b = org('b_', '203.0.113', [
      'summarise the French revolution',
      'write quicksort in C',
      'what is entropy',
      'prove Fermat little theorem',
      'explain RAID 5',
    ]);
    const m = new IntelMatcher(received, ring, now);
    for (const a of b.accounts) m.addAccount(a);
    for (const e of b.events) m.addEvent(e);
    const matches = m.matches();
    expect([...matches.keys()].sort()).toEqual(['b_1', 'b_2', 'b_3', 'b_4']);
    const kinds = new Set(matches.get('b_1')![0]!.hits.map((h) => h.ind.kind));
    for (const k of ['template', 'payment_fingerprint_hmac', 'ip_prefix_hmac', 'asn', 'user_agent'])
      expect(kinds, k).toContain(k);
    const signal = m.signals().get('b_1')![0]!;
    expect(signal.detector).toBe('shared-intel');
    expect(signal.score).toBeGreaterThan(0.999);
    expect(signal.p_value).toBeLessThan(1e-6);
    expect(signal.evidence).toContain('published by org-a');
    expect(signal.examples!.length).toBeGreaterThan(0);
  });

  it('keeps matching across a community key rotation while the old key is inside its window', async () => {
    const received = await publishedByA(now); // published under k1
    const rotated = keyRingFrom({
      current: 'k2',
      keys: [
        { id: 'k1', secret: 'cd'.repeat(32), not_after: '2026-12-01T00:00:00Z' },
        { id: 'k2', secret: '99'.repeat(32) },
      ],
    });
    const during = new IntelMatcher(received, rotated, now);
    for (const a of org('b_', '198.51.100', TASKS).accounts) during.addAccount(a);
    expect(during.matches().size).toBe(4);
    const after = new IntelMatcher(received, rotated, new Date('2026-12-02T00:00:00Z'));
    for (const a of org('b_', '198.51.100', TASKS).accounts) after.addAccount(a);
    expect(after.matches().size).toBe(0);
  });

  it('maps a local cluster to the shared campaign through its links', async () => {
    const received = await publishedByA(now);
    const m = new IntelMatcher(received, ring, now);
    const local: Findings = findingsOf(
      {
        accounts: [],
        clusters: [
          {
            cluster_id: 'mine',
            account_ids: ['b_1'],
            score: 0.7,
            level: 'review',
            events: 9,
            signals: [],
            links: [
              { kind: 'payment_fingerprint', value: 'pf_actor_card', accounts: 4 },
              { kind: 'asn', value: '64999', accounts: 4 },
            ],
          },
          {
            cluster_id: 'other',
            account_ids: ['z'],
            score: 0.7,
            level: 'review',
            events: 9,
            signals: [],
            links: [{ kind: 'asn', value: '64999', accounts: 4 }],
          },
        ],
      },
      { events: 0, accounts: 0 },
      now.toISOString(),
    );
    const r = m.matchFindings(local);
    expect(r.map((x) => x.clusterId)).toEqual(['mine']);
    expect(r[0]!.kinds).toEqual(['asn', 'payment_fingerprint_hmac']);
    expect(r[0]!.campaignId).toMatch(/^campaign--/);
  });

  it('hub-reported sightings by other members raise the evidence of a match', async () => {
    const received = await publishedByA(now);
    const campaign = received.find((o) => o.type === 'campaign')!.id;
    const p = (sightings: Map<string, number>): number => {
      const m = new IntelMatcher(received, ring, new Date('2026-12-15T00:00:00Z'), undefined, sightings);
      for (const e of org('b_', '203.0.113', TASKS).events) m.addEvent(e);
      return m.matches().get('b_1')![0]!.pValue;
    };
    expect(p(new Map([[campaign, 3]]))).toBeLessThan(p(new Map()));
  });

  it('expired indicators stop matching', async () => {
    const received = await publishedByA(now);
    const m = new IntelMatcher(received, ring, new Date('2027-06-01T00:00:00Z'));
    expect(m.indicators).toBe(0);
    expect(m.expired).toBeGreaterThan(0);
    for (const e of org('b_', '203.0.113', TASKS).events) m.addEvent(e);
    expect(m.matches().size).toBe(0);
  });

  it('keyed hashes match only under the same community key', async () => {
    const received = await publishedByA(now);
    const other = keyRingFrom({ current: 'x', keys: [{ id: 'x', secret: 'ef'.repeat(32) }] });
    const m = new IntelMatcher(received, other, now);
    for (const a of org('b_', '198.51.100', TASKS).accounts) m.addAccount(a);
    expect(m.matches().size).toBe(0);
  });

  it('writes sightings that are anonymous when asked and name the member otherwise', async () => {
    const received = await publishedByA(now);
    const m = new IntelMatcher(received, ring, now);
    for (const e of org('b_', '203.0.113', TASKS).events) m.addEvent(e);
    const anon = m.sightings({
      anonymous: true,
      identityId: 'identity--00000000-0000-4000-8000-000000000001',
    });
    expect(anon).toHaveLength(1);
    expect(anon[0]).not.toHaveProperty('where_sighted_refs');
    expect(anon[0]).not.toHaveProperty('created_by_ref');
    expect(anon[0]!.sighting_of_ref).toMatch(/^campaign--/);
    const named = m.sightings({
      anonymous: false,
      identityId: 'identity--00000000-0000-4000-8000-000000000001',
    });
    expect(named[0]!.where_sighted_refs).toEqual(['identity--00000000-0000-4000-8000-000000000001']);
  });

  it('matches plain foreign STIX indicators (IP, ASN) without the DistillGuard extension', () => {
    const m = new IntelMatcher([stixIndicator(1, "[ipv4-addr:value = '203.0.113.7']")], ring, now);
    for (const [id, account_id, ip] of [
      ['e1', 'x', '203.0.113.7'],
      ['e2', 'y', '203.0.113.8'],
    ] as const)
      m.addEvent({
        id,
        ts: '2026-11-20T10:00:00Z',
        account_id,
        model: 'm',
        client: { ip },
        request: { messages: [{ role: 'user', content: 'hi' }] },
      });
    expect([...m.matches().keys()]).toEqual(['x']);
  });

  describe('foreign user-agent MATCHES indicators', () => {
    const UA_PATH = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
    const campaignId = fixtureId('campaign', 1);
    const foreign = stixIndicator;
    /** The indicators as one campaign beside a network indicator (a user agent alone is too broad to match). */
    const campaign = (indicators: StixObject[]) =>
      indicatedCampaign('harvest', [
        foreign(0, "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"),
        ...indicators,
      ]);
    /** A matcher of those expressions (as written in the pattern: \\ and \' escaped), each one indicator. */
    const uaMatcher = (...exprs: string[]): IntelMatcher =>
      new IntelMatcher(
        campaign(exprs.map((x, i) => foreign(1 + i, `[${UA_PATH} MATCHES '${x}']`))),
        ring,
        now,
      );
    /** The actor's traffic (org b), one of its accounts on another client, and a benign user. */
    const traffic = (): ApiEvent[] =>
      org('b_', '203.0.113', TASKS).events.map((e) =>
        e.account_id === 'b_4' ? { ...e, client: { ...e.client, user_agent: 'python-requests/2.31.0' } } : e,
      );
    const uaKinds = (m: IntelMatcher): Record<string, string[]> =>
      Object.fromEntries(
        [...m.matches()].map(([acct, list]) => [
          acct,
          list.flatMap((c) => c.hits.filter((h) => h.ind.kind === 'user_agent').map((h) => h.ind.label)),
        ]),
      );

    it('hits the accounts whose user agent matches the expression and no other', () => {
      // The pattern string escapes \ and ': the expression is ^harvest-client/\d+\.\d+$ (or it's).
      const m = uaMatcher("^harvest-client/\\\\d+\\\\.\\\\d+$|it\\'s");
      for (const e of traffic()) m.addEvent(e);
      expect(m.indicators).toBe(2);
      expect(m.refused).toBe(0);
      const label = "user agent matching /^harvest-client/\\d+\\.\\d+$|it's/";
      expect(uaKinds(m)).toEqual({ b_1: [label], b_2: [label], b_3: [label], b_4: [] });
      const signal = m.signals().get('b_1')![0]!;
      expect(signal.evidence).toContain(`${label} on 5 of 5 requests`);
    });

    it('matches cluster links on the user agent too', () => {
      const m = uaMatcher('^harvest-');
      const findings = findingsOf(
        {
          accounts: [],
          clusters: [
            {
              cluster_id: 'cl_1',
              account_ids: ['b_1', 'b_2'],
              score: 0.9,
              level: 'act',
              events: 10,
              links: [
                { kind: 'ip_prefix', value: '203.0.113.0/24', accounts: 2 },
                { kind: 'user_agent', value: 'harvest-client/2.1', accounts: 2 },
              ],
              signals: [],
            },
          ],
        },
        { events: 10, accounts: 2 },
        now.toISOString(),
      );
      expect(m.matchFindings(findings)).toEqual([
        { clusterId: 'cl_1', campaignId, campaignName: 'harvest', kinds: ['ip_prefix', 'user_agent'] },
      ]);
    });

    it('evaluates an expression backtracking engines never finish on a long user agent, and refuses an exponential one without throwing', () => {
      // (a+){4}b passes the sharing check (4 repeats) but costs a backtracking engine ~n^4 per start.
      const m = uaMatcher('(a+){4}b', '(a+)+$');
      expect(m.refused).toBe(1);
      expect(m.indicators).toBe(2);
      const visit = (account_id: string, ua: string): void =>
        m.addEvent(request(account_id, { ip: '203.0.113.9', user_agent: ua }));
      visit('long', 'a'.repeat(1000));
      visit('long_b', `${'a'.repeat(999)}b`);
      expect(uaKinds(m)).toEqual({ long: [], long_b: ['user agent matching /(a+){4}b/'] });
    });

    it('reports an expression that does not compile as a pattern not used, and keeps the rest', () => {
      const m = uaMatcher('(?<=x)harvest', '[z-a]', 'harvest');
      expect(m.refused).toBe(2);
      expect(m.indicators).toBe(2);
      for (const e of traffic()) m.addEvent(e);
      expect(uaKinds(m).b_1).toEqual(['user agent matching /harvest/']);
    });

    it('compiles at most its bound of expressions and reports the rest as skipped', () => {
      const over = 200;
      const m = uaMatcher(
        ...Array.from({ length: UA_REGEX_LIMITS.maxExpressions + over }, (_, i) => `^bot-${i}/`),
      );
      expect(m.indicators).toBe(1 + UA_REGEX_LIMITS.maxExpressions);
      expect(m.skipped).toBe(over);
      expect(m.refused).toBe(0);
      const visit = (account_id: string, ua: string): void =>
        m.addEvent(request(account_id, { ip: '203.0.113.9', user_agent: ua }));
      visit('early', 'bot-7/1.0');
      visit('late', `bot-${UA_REGEX_LIMITS.maxExpressions + 7}/1.0`);
      expect(uaKinds(m)).toEqual({ early: ['user agent matching /^bot-7//'], late: [] });
    });

    it('bounds the program instructions over all expressions', () => {
      // Each near the 10,000-instruction bound of one expression.
      const m = uaMatcher(
        ...Array.from({ length: 20 }, (_, i) => `^${String.fromCharCode(97 + i)}(?:[a-z]{1000}){9}`),
      );
      expect(m.refused).toBe(0);
      const size = (compileStixRegex('^a(?:[a-z]{1000}){9}') as { regex: StixRegex }).regex.size;
      expect(size).toBeGreaterThan(9000);
      const fit = Math.floor(UA_REGEX_LIMITS.maxInstructions / size);
      expect(m.indicators).toBe(1 + fit);
      expect(m.skipped).toBe(20 - fit);
    });
  });

  describe('against hostile foreign patterns', () => {
    const indicator = stixIndicator;
    const visit = (m: IntelMatcher, ip: string): void => m.addEvent(request('x', { ip }));

    it('never uses an indicator whose pattern is not valid STIX 2.1, even where its text looks like one it knows', () => {
      const m = new IntelMatcher(
        [
          // 1 MB: over the pattern bound, though it starts like an IP indicator.
          indicator(1, `[ipv4-addr:value = '203.0.113.7'] OR [file:name = '${'a'.repeat(1024 * 1024)}']`),
          // A catastrophic MATCHES beside an IP.
          indicator(2, "[ipv4-addr:value = '203.0.113.7' AND file:name MATCHES '^(a+)+$']"),
          // Not the grammar.
          indicator(3, "[ipv4-addr:value = '203.0.113.7'"),
        ],
        ring,
        now,
      );
      visit(m, '203.0.113.7');
      expect(m.indicators).toBe(0);
      expect(m.refused).toBe(3);
      expect(m.matches().size).toBe(0);
    });

    it('reads patterns at the length bound, built against its own pattern readers, and still matches', () => {
      const near = 65_000;
      const hostile = [
        `[file:name = '${'[ipv4-addr:value '.repeat(near / 18)}']`,
        `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = '${"\\'".repeat(near / 3)}']`,
        `[file:name = '${'[autonomous-system:number = 1'.repeat(near / 30)}']`,
        `[file:name = '${' '.repeat(near)}']`,
      ];
      const m = new IntelMatcher(
        [
          ...Array.from({ length: 40 }, (_, i) => indicator(100 + i, hostile[i % hostile.length]!)),
          indicator(7, "[ipv4-addr:value = '203.0.113.7']"),
        ],
        ring,
        now,
      );
      visit(m, '203.0.113.7');
      expect(m.refused).toBe(0);
      expect([...m.matches().keys()]).toEqual(['x']);
    });
  });
});
