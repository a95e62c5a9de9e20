import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, receivedIntel, runCli } from './cli-harness.js';

const UA = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";

/** Compound patterns a member could receive, each its own campaign, with the oracle written out by hand. */
interface Client {
  ip?: string;
  asn?: number;
  user_agent?: string;
}
/** A request of the traffic, as the oracles read it: its client and its time (ms), in log order. */
type Timed = Client & { t: number };
/** Whether some `n` of the times (ascending) lie within `ms` of each other. */
const burst = (times: number[], n: number, ms: number): boolean =>
  times.some((t, i) => i + n - 1 < times.length && times[i + n - 1]! - t <= ms);
/** The first simulated day, written into patterns that name it (START … STOP). */
const DAY = { start: 'DAY_START', stop: 'DAY_STOP' };
const isV4 = (ip: string | undefined): ip is string => !!ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip);
const octets = (ip: string): number[] => ip.split('.').map(Number);
const CASES: { name: string; pattern: string; holds: (events: Timed[], day0: number) => boolean }[] = [
  {
    name: 'one-observation',
    pattern: `[${UA} LIKE 'python-requests/2.2%' AND (autonomous-system:number IN (22773, 7713, 23693) OR ipv4-addr:value ISSUBSET '158.108.0.0/16')]`,
    holds: (events) =>
      events.some(
        (c) =>
          !!c.user_agent?.startsWith('python-requests/2.2') &&
          ([22773, 7713, 23693].includes(c.asn ?? -1) ||
            (isV4(c.ip) && octets(c.ip)[0] === 158 && octets(c.ip)[1] === 108)),
      ),
  },
  {
    name: 'across-requests',
    pattern: `[${UA} MATCHES '^curl/8\\\\.[4-7]\\\\.'] AND [autonomous-system:number = 16509]`,
    holds: (events) =>
      events.some((c) => /^curl\/8\.[4-7]\./.test(c.user_agent ?? '')) && events.some((c) => c.asn === 16509),
  },
  {
    name: 'negations',
    pattern:
      `[${UA} = 'node' AND ipv4-addr:value NOT ISSUBSET '10.0.0.0/8'] OR ` +
      `[${UA} IN ('Go-http-client/2.0', 'Go-http-client/1.1') AND autonomous-system:number != 22773]`,
    holds: (events) =>
      events.some(
        (c) =>
          (c.user_agent === 'node' && isV4(c.ip) && octets(c.ip)[0] !== 10) ||
          ((c.user_agent === 'Go-http-client/2.0' || c.user_agent === 'Go-http-client/1.1') &&
            c.asn !== undefined &&
            c.asn !== 22773),
      ),
  },
  {
    name: 'burst',
    pattern: `[${UA} LIKE 'python-requests/%'] REPEATS 5 TIMES WITHIN 60 SECONDS`,
    holds: (events) =>
      burst(
        events.filter((c) => !!c.user_agent?.startsWith('python-requests/')).map((c) => c.t),
        5,
        60_000,
      ),
  },
  {
    name: 'sequence',
    pattern: `([autonomous-system:number = 16509] FOLLOWEDBY [${UA} LIKE 'python-requests/%']) WITHIN 600 SECONDS`,
    holds: (events) =>
      events.some(
        (a, i) =>
          a.asn === 16509 &&
          events.some(
            (b, j) => j > i && !!b.user_agent?.startsWith('python-requests/') && b.t - a.t <= 600_000,
          ),
      ),
  },
  {
    name: 'first-day',
    pattern: `[${UA} LIKE 'axios/%'] START t'${DAY.start}' STOP t'${DAY.stop}'`,
    holds: (events, day0) =>
      events.some((c) => !!c.user_agent?.startsWith('axios/') && c.t >= day0 && c.t < day0 + 86_400_000),
  },
];

describe('intel match on compound STIX patterns, on simulated traffic through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'dg-compound-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each compound indicator hits exactly the accounts that satisfy it', async () => {
    const sim = await runCli(['simulate', '--seed', '3', '--days', '2', '--out', path.join(dir, 'sim')], {
      timeout: 120_000,
    });
    expect(sim.code, sim.stderr).toBe(0);
    // Per account, its requests in log order (the oracles' input).
    const clients = new Map<string, Timed[]>();
    for (const line of readFileSync(path.join(dir, 'sim', 'traffic.ndjson'), 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { account_id: string; ts: string; client?: Client };
      const list = clients.get(e.account_id) ?? [];
      list.push({ ...e.client, t: Date.parse(e.ts) });
      clients.set(e.account_id, list);
    }
    const day0 =
      Math.floor(Math.min(...[...clients.values()].flat().map((c) => c.t)) / 86_400_000) * 86_400_000;
    const stamped = (p: string): string =>
      p
        .replace(DAY.start, new Date(day0).toISOString().replace('.000', ''))
        .replace(DAY.stop, new Date(day0 + 86_400_000).toISOString().replace('.000', ''));
    // Received intel as `intel pull` keeps it: per campaign, its compound indicator and the
    // networks covering every client (so each account with traffic gets a signal listing its hits).
    const ts = new Date(Date.now() - 86_400_000).toISOString();
    const stamp = { spec_version: '2.1', created: ts, modified: ts };
    const uuid = (kind: number, i: number): string =>
      `6a1f0c2e-8d4b-4f3a-9c7e-${String(kind * 100 + i).padStart(12, '0')}`;
    const indicator = (id: string, pattern: string) => ({
      type: 'indicator',
      ...stamp,
      id: `indicator--${id}`,
      pattern,
      pattern_type: 'stix',
      valid_from: ts,
      confidence: 80,
    });
    const everywhere = [
      indicator(uuid(1, 0), "[ipv4-addr:value ISSUBSET '0.0.0.0/0']"),
      indicator(uuid(1, 1), "[ipv6-addr:value ISSUBSET '::/0']"),
    ];
    const objects: ({ id: string } & Record<string, unknown>)[] = [...everywhere];
    CASES.forEach((c, i) => {
      const campaign = { type: 'campaign', ...stamp, id: `campaign--${uuid(2, i)}`, name: c.name };
      const own = indicator(uuid(3, i), stamped(c.pattern));
      objects.push(campaign, own);
      [own, ...everywhere].forEach((ind, j) =>
        objects.push({
          type: 'relationship',
          ...stamp,
          id: `relationship--${uuid(4 + i, j)}`,
          relationship_type: 'indicates',
          source_ref: ind.id,
          target_ref: campaign.id,
        }),
      );
    });
    const { state, key } = receivedIntel(dir, objects, ts, 'cd');
    const signalsFile = path.join(dir, 'signals.json');
    const run = await runCli(
      [
        'intel',
        'match',
        '--state',
        state,
        '--traffic',
        path.join(dir, 'sim', 'traffic.ndjson'),
        '--key',
        key,
        '--member',
        'org-b',
        '--signals',
        signalsFile,
      ],
      { timeout: 240_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${2 + CASES.length} live indicators (0 expired)`);

    // Expected, from the traffic itself.
    const signals = JSON.parse(readFileSync(signalsFile, 'utf8')) as Record<string, { evidence: string }[]>;
    for (const c of CASES) {
      const want = [...clients].filter(([, events]) => c.holds(events, day0)).map(([a]) => a);
      const got = Object.entries(signals)
        .filter(([, list]) =>
          list.some((s) => s.evidence.includes(` of ${c.name}:`) && s.evidence.includes('STIX pattern')),
        )
        .map(([a]) => a);
      // Not trivial: some accounts, far from all.
      expect([c.name, want.length > 0, want.length < clients.size / 2]).toEqual([c.name, true, true]);
      expect([c.name, got.sort()]).toEqual([c.name, want.sort()]);
    }
  }, 300_000);
});
