import { describe, expect, it } from 'vitest';
import { IntelMatcher, keyRingFrom } from '../src/intel/index.js';
import { simulationStream } from '../src/sim/index.js';
import { indicatedCampaign, stixIndicator } from './stix-fixtures.js';

const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const now = new Date('2026-11-21T00:00:00Z');
const UA_PATH = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";

describe('intel match on a foreign user-agent MATCHES indicator', () => {
  it('on simulated traffic, hits exactly the accounts that used a matching client', () => {
    // Networks covering everyone beside the user agent (too broad to match alone), so every
    // account with traffic is listed with the indicators it hit.
    const indicators = [
      stixIndicator(1, "[ipv4-addr:value ISSUBSET '0.0.0.0/0']"),
      stixIndicator(2, "[ipv6-addr:value ISSUBSET '::/0']"),
      stixIndicator(3, `[${UA_PATH} MATCHES '^python-requests/2\\\\.(29|30)\\\\.']`),
    ];
    const m = new IntelMatcher(indicatedCampaign('harvest', indicators), ring, now);
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
