import { describe, expect, it } from 'vitest';
import { IntelMatcher, keyRingFrom } from '../src/intel/index.js';
import { simulationStream } from '../src/sim/index.js';

const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const now = new Date('2026-11-21T00:00:00Z');
const UA_PATH = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
const CAMPAIGN = 'campaign--0f7a9e61-3c1e-4d5b-9a3e-000000000001';

const stamp = {
  spec_version: '2.1',
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
};
const indicator = (n: number, pattern: string) => ({
  type: 'indicator',
  ...stamp,
  id: `indicator--6a1f0c2e-8d4b-4f3a-9c7e-${String(n).padStart(12, '0')}`,
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00Z',
  confidence: 70,
});

describe('intel match on a foreign user-agent MATCHES indicator', () => {
  it('on simulated traffic, hits exactly the accounts that used a matching client', () => {
    // Networks covering everyone beside the user agent (too broad to match alone), so every
    // account with traffic is listed with the indicators it hit.
    const indicators = [
      indicator(1, "[ipv4-addr:value ISSUBSET '0.0.0.0/0']"),
      indicator(2, "[ipv6-addr:value ISSUBSET '::/0']"),
      indicator(3, `[${UA_PATH} MATCHES '^python-requests/2\\\\.(29|30)\\\\.']`),
    ];
    const received = [
      { type: 'campaign', ...stamp, id: CAMPAIGN, name: 'harvest' },
      ...indicators.flatMap((ind, i) => [
        ind,
        {
          type: 'relationship',
          ...stamp,
          id: `relationship--7b2e1d3f-9e5c-4a4b-8d8f-${String(i).padStart(12, '0')}`,
          relationship_type: 'indicates',
          source_ref: ind.id,
          target_ref: CAMPAIGN,
        },
      ]),
    ];
    const m = new IntelMatcher(received, ring, now);
    expect([m.indicators, m.refused, m.skipped]).toEqual([3, 0, 0]);
    const oracle = /^python-requests\/2\.(29|30)\./;
    const want = new Set<string>();
    const uas = new Set<string>();
    let n = 0;
    for (const e of simulationStream({ scale: 'small', seed: 5, days: 2 }).events()) {
      if (++n > 20_000) break;
      m.addEvent(e);
      const ua = e.client?.user_agent;
      if (ua) uas.add(ua);
      if (ua && oracle.test(ua)) want.add(e.account_id);
    }
    const got = [...m.matches()].flatMap(([acct, list]) =>
      list.some((c) => c.hits.some((h) => h.ind.kind === 'user_agent')) ? [acct] : [],
    );
    // A population has few distinct clients (the verdicts are cached per user agent).
    expect(uas.size).toBeLessThan(n / 10);
    expect(want.size).toBeGreaterThan(0);
    expect(new Set(got)).toEqual(want);
  });
});
