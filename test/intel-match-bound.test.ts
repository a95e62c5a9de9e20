import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATCH_HITS } from '../src/contracts/index.js';
import { ensureBuilt, receivedIntel, runCli } from './cli-harness.js';

// `intel match --max-hits`: the matches held in memory are bounded (received indicators that match
// every account would otherwise hold every account times every indicator), and a member whose
// traffic legitimately matches more sets the bound, within a ceiling, before any work starts.
let dir: string;
let state: string;
let key: string;
let accounts: number;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'dg-match-bound-'));
  const sim = await runCli(['simulate', '--seed', '5', '--days', '2', '--out', path.join(dir, 'sim')], {
    timeout: 120_000,
  });
  expect(sim.code, sim.stderr).toBe(0);
  accounts = new Set(
    readFileSync(path.join(dir, 'sim', 'traffic.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { account_id: string }).account_id),
  ).size;
  // One campaign whose two indicators cover every client address: every account matches both.
  const ts = new Date(Date.now() - 86_400_000).toISOString();
  const stamp = { spec_version: '2.1', created: ts, modified: ts };
  const id = (kind: number, i: number): string =>
    `7b2e1d3f-9c5a-4e4b-8d8f-${String(kind * 100 + i).padStart(12, '0')}`;
  const campaign = { type: 'campaign', ...stamp, id: `campaign--${id(1, 0)}`, name: 'everyone' };
  const indicators = ["[ipv4-addr:value ISSUBSET '0.0.0.0/0']", "[ipv6-addr:value ISSUBSET '::/0']"].map(
    (pattern, i) => ({
      type: 'indicator',
      ...stamp,
      id: `indicator--${id(2, i)}`,
      pattern,
      pattern_type: 'stix',
      valid_from: ts,
      confidence: 80,
    }),
  );
  const relationships = indicators.map((ind, i) => ({
    type: 'relationship',
    ...stamp,
    id: `relationship--${id(3, i)}`,
    relationship_type: 'indicates',
    source_ref: ind.id,
    target_ref: campaign.id,
  }));
  ({ state, key } = receivedIntel(dir, [campaign, ...indicators, ...relationships], ts, 'ef'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const match = (...extra: string[]) =>
  runCli(
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
      ...extra,
    ],
    { timeout: 120_000 },
  );

describe('intel match --max-hits', () => {
  it('holds every match under the default bound', async () => {
    const run = await match();
    expect(run.code, run.stderr).toBe(0);
    expect(accounts).toBeGreaterThan(100);
    expect(run.stdout).toContain(`${accounts} accounts match`);
    expect(run.stdout).not.toContain('match bound full');
  }, 120_000);

  it('past a lower bound records no new match and says for how many accounts, naming the flag', async () => {
    const run = await match('--max-hits', '50');
    expect(run.code, run.stderr).toBe(0);
    // Two indicators per account: 50 hits hold 25 to 50 accounts, the rest are counted.
    const matched = Number(/(\d+) accounts match/.exec(run.stdout)?.[1]);
    expect(matched).toBeGreaterThanOrEqual(25);
    expect(matched).toBeLessThanOrEqual(50);
    const refused = Number(/(\d+) accounts' matches not all recorded/.exec(run.stdout)?.[1]);
    expect(refused).toBeGreaterThanOrEqual(accounts - 50);
    expect(run.stdout).toContain('(match bound full; --max-hits raises it)');
  }, 120_000);

  it('refuses a bound of 0 or over the ceiling before any work, exit 2, no stack trace', async () => {
    for (const bad of ['0', String(MATCH_HITS.max + 1), 'lots']) {
      const run = await match('--max-hits', bad);
      expect(run.code, bad).toBe(2);
      expect(run.stderr, bad).toMatch(/max-hits/);
      expect(run.stderr, bad).not.toMatch(/\n\s+at /);
      expect(run.stdout, bad).not.toContain('accounts match');
    }
  }, 120_000);
});
