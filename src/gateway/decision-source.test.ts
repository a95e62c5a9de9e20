import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Decision } from '../contracts/index.js';
import { DecisionCache } from './decision-cache.js';
import { HttpDecisionSource, StaticDecisionSource } from './decision-source.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A stand-in for the DistillGuard server that answers whatever `body` holds at the time. */
async function decisionServer(body: () => unknown): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body()));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const expiresAt = Date.UTC(2030, 0, 1, 12);
/** Exactly what the server's DecisionBook answers for a manual throttle with a TTL. */
const served = Decision.parse({
  account_id: 'acct-1',
  action: 'throttle',
  reason: 'analyst: slow down',
  source: 'manual',
  scope: 'account',
  cluster_id: null,
  expires_at: new Date(expiresAt).toISOString(),
  updated_at: new Date(expiresAt - 3_600_000).toISOString(),
  watch: false,
  rate_per_minute: 3,
});

describe('HttpDecisionSource reads the server contract strictly', () => {
  it('accepts the decision the server emits, expires_at included', async () => {
    const base = await decisionServer(() => served);
    const cache = new DecisionCache(new HttpDecisionSource(base, 'k'), { now: () => expiresAt - 1 });
    await cache.refresh('acct-1');
    expect(cache.get('acct-1')).toMatchObject({
      action: 'throttle',
      ratePerMinute: 3,
      expiresAtMs: expiresAt,
    });
  });

  it.each([
    ['an expiry that is no date', { expires_at: 'tomorrow' }, 'expires_at'],
    ['an expiry in epoch milliseconds', { expires_at: expiresAt }, 'expires_at'],
    ['the static-file shorthand action watch', { action: 'watch' }, 'action'],
    ['an unknown source', { source: 'oracle' }, 'source'],
    ['no watch flag', { watch: undefined }, 'watch'],
  ])('refuses %s with a reason naming the field, and keeps the last decision', async (_, change, field) => {
    let answer: unknown = served;
    const base = await decisionServer(() => answer);
    const errors: string[] = [];
    const cache = new DecisionCache(new HttpDecisionSource(base, 'k'), {
      ttlMs: 0,
      now: () => expiresAt - 1,
      onError: (e) => errors.push(e.message),
    });
    await cache.refresh('acct-1');
    answer = { ...served, action: 'block', ...change };
    await cache.refresh('acct-1');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^decision lookup for acct-1: invalid answer: ${field}: `));
    // A refused answer is a failed lookup: the decision last known stays in force (docs/gateway.md).
    expect(cache.get('acct-1')).toMatchObject({ action: 'throttle', expiresAtMs: expiresAt });
  });

  it('refuses a listing page with one invalid decision and keeps the last list', async () => {
    let items: unknown[] = [served];
    const base = await decisionServer(() => ({ items, next: null }));
    const errors: string[] = [];
    const cache = new DecisionCache(new HttpDecisionSource(base, 'k'), {
      now: () => expiresAt - 1,
      onError: (e) => errors.push(e.message),
    });
    await cache.sync();
    items = [{ ...served, account_id: 'acct-2', action: 'block', expires_at: 'soon' }, served];
    await cache.sync();
    expect(errors).toEqual([expect.stringMatching(/^decision list: invalid answer: items\.0\.expires_at: /)]);
    expect(cache.get('acct-1').action).toBe('throttle');
    expect(cache.get('acct-2').action).toBe('allow');
  });
});

describe('StaticDecisionSource', () => {
  const file = (content: unknown): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'dg-decisions-')), 'decisions.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('reads the shorthands and epoch-millisecond expiries operators write', () => {
    const source = StaticDecisionSource.fromFile(
      file({ decisions: [{ account_id: 'a', action: 'watch', expires_at: expiresAt }, served] }),
    );
    const cache = new DecisionCache(source, { now: () => expiresAt - 1 });
    expect(cache.get('a')).toMatchObject({ action: 'monitor', watch: true, expiresAtMs: expiresAt });
    expect(cache.get('acct-1')).toMatchObject({ action: 'throttle', expiresAtMs: expiresAt });
  });

  it('refuses an expiry that is no date, naming the field, instead of never expiring', () => {
    expect(() =>
      StaticDecisionSource.fromFile(file([{ account_id: 'a', action: 'block', expires_at: 'next week' }])),
    ).toThrow(/decisions file .*: 0\.expires_at: not an RFC 3339 date-time/);
    expect(() =>
      StaticDecisionSource.fromFile(file({ decisions: [{ account_id: 'a', action: 'ban' }] })),
    ).toThrow(/decisions file .*: decisions\.0\.action: /);
  });
});
