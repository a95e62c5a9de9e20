import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionCache,
  DemoUpstream,
  HttpDecisionSource,
  startGateway,
  type RunningGateway,
} from '../src/gateway/index.js';
import { startService, type RunningService } from '../src/server/index.js';

/** The gateway against the real DistillGuard server: decisions from it, events into it. */
describe('gateway in front of a model, wired to the DistillGuard server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-gw-srv-'));
  let service: RunningService;
  let gateway: RunningGateway;
  let upstream: DemoUpstream;
  let key: string;

  beforeAll(async () => {
    service = await startService({ dataDir: dir, port: 0, logger: false, demo: true });
    key = service.createdKey!;
    upstream = new DemoUpstream();
    gateway = await startGateway({
      upstream: await upstream.listen(),
      port: 0,
      server: service.url,
      serverKey: key,
      trustAccountHeader: true,
      spool: join(dir, 'spool.ndjson'),
      decisionTtlMs: 100,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await service?.close();
  });

  const ask = async (account: string, content: string) => {
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-account-id': account,
        authorization: 'Bearer sk-customer',
      },
      body: JSON.stringify({ model: 'demo-1', messages: [{ role: 'user', content }] }),
    });
    return { status: res.statusCode, body: await res.body.text() };
  };

  it('enforces a manual block set on the server, and the server receives every exchange', async () => {
    expect((await ask('acct-srv-1', 'first question')).status).toBe(200);
    const put = await request(`${service.url}/v1/decisions/acct-srv-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ action: 'block', reason: 'test: distillation campaign', scope: 'account' }),
    });
    expect(put.statusCode).toBe(200);
    await put.body.text();
    // The cache refreshes in the background: within a few TTLs the block is in force.
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 60));
      status = (await ask('acct-srv-1', `question ${i}`)).status;
    }
    expect(status).toBe(403);
    // The gateway reads the server's list (one paginated GET per TTL), not one lookup per account.
    const listed: string[] = [];
    for await (const page of new HttpDecisionSource(service.url, key).list())
      listed.push(...page.map((d) => `${d.account_id}:${d.action}`));
    expect(listed).toContain('acct-srv-1:block');
    const sent = (): Promise<number> =>
      request(`${gateway.url}/_gateway/healthz`)
        .then((r) => r.body.json())
        .then((b) => (b as { events: { sent: number; recorded: number } }).events.sent);
    for (let i = 0; i < 50 && (await sent()) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const acct = await request(`${service.url}/v1/accounts/acct-srv-1`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await acct.body.text();
    expect(acct.statusCode, text).toBe(200);
    const body = JSON.parse(text) as { samples: { prompt: string }[] };
    expect(body.samples.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the decision the server emits, expiry and throttle rate included', async () => {
    const put = await request(`${service.url}/v1/decisions/acct-srv-2`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ action: 'throttle', reason: 'test: slow down', ttl_seconds: 3600 }),
    });
    const set = (await put.body.json()) as { expires_at: string; rate_per_minute: number };
    expect(put.statusCode).toBe(200);
    const source = new HttpDecisionSource(service.url, key);
    const errors: string[] = [];
    const perAccount = new DecisionCache(source, { onError: (e) => errors.push(e.message) });
    await perAccount.refresh('acct-srv-2');
    const listed = new DecisionCache(source, { onError: (e) => errors.push(e.message) });
    await listed.sync();
    expect(errors).toEqual([]);
    for (const cache of [perAccount, listed])
      expect(cache.get('acct-srv-2')).toMatchObject({
        action: 'throttle',
        ratePerMinute: set.rate_per_minute,
        expiresAtMs: Date.parse(set.expires_at),
      });
  });
});
