import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseNewWebhook, WebhookDispatcher, type WebhookDispatcherOptions } from '../src/respond/index.js';
import {
  coreMigrations,
  listDeadLetters,
  listDeliveries,
  runMigrations,
  type CoreDatabase,
  type StoreDialect,
} from '../src/store/index.js';
import { openTestDatabase, type TestDatabase } from './store-harness.js';
import { call, startTestService, type TestService } from './server-harness.js';
import { webhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

/**
 * Attacks on the webhook dispatcher (issue "Hold under attack", item 6): SSRF to loopback,
 * private, link-local and metadata targets (including DNS rebinding), dead letters as a port-scan
 * oracle, credentials echoed back, one slow endpoint delaying every other, a backoff that was not
 * the documented one, and no way to delete or disable a webhook.
 */

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const SECRET = 'a-secret-of-16-chars';
const closeAll = async (rs: WebhookReceiver[]) => {
  for (const r of rs.splice(0)) {
    r.release();
    r.server.closeAllConnections();
    await new Promise((res) => r.server.close(res));
  }
};

/** Waits (bounded: 100 × 50 ms) until `ok` holds; returns whether it did. */
async function eventually(ok: () => boolean | Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return ok();
}

describe.each<StoreDialect>(['sqlite', 'postgres'])('webhooks under attack (%s, real service)', (dialect) => {
  const receivers: WebhookReceiver[] = [];
  let ts: TestService | null = null;
  afterEach(async () => {
    await closeAll(receivers);
    await ts?.dispose();
    ts = null;
  });
  const start = async (webhookOptions: WebhookDispatcherOptions = {}) => {
    ts = await startTestService(dialect, { webhookOptions });
    return ts;
  };
  const register = (s: TestService, url: string) =>
    call(`${s.url}/v1/webhooks`, 'POST', s.admin, { json: { url, secret: SECRET } });

  it('refuses loopback, private, link-local, metadata and oddly spelt targets at registration', async () => {
    const s = await start();
    const r = await webhookReceiver();
    receivers.push(r);
    const targets = [
      r.url,
      `http://localhost:${r.port}/hook`,
      `http://0x7f000001:${r.port}/`,
      `http://2130706433:${r.port}/`,
      `http://0177.0.0.1:${r.port}/`,
      `http://127.1:${r.port}/`,
      'http://[::1]:5432/',
      `http://[::ffff:127.0.0.1]:${r.port}/`,
      `http://[::ffff:7f00:1]:${r.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.5/',
      'http://172.16.3.4/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://224.0.0.1/',
      `${s.url}/v1/keys`,
    ];
    for (const url of targets) {
      const res = await register(s, url);
      expect({ url, status: res.status, body: res.body }).toMatchObject({
        url,
        status: 400,
        body: { error: { code: 'WEBHOOK_TARGET_REFUSED' } },
      });
    }
    expect((await call(`${s.url}/v1/webhooks`, 'GET', s.admin)).body).toMatchObject({ items: [] });
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 });
    await s.service.ctx.webhooks.runOnce();
    expect(r.got).toHaveLength(0);
  });

  it('re-checks the address at delivery and never connects when DNS now points inside (rebinding)', async () => {
    const r = await webhookReceiver();
    receivers.push(r);
    let calls = 0;
    // First answer (registration) is a public address; later answers rebind to loopback.
    const resolveHost = (host: string) => {
      calls++;
      if (host !== 'rebind.example') return Promise.reject(new Error('no such host'));
      return Promise.resolve([{ address: calls === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 as const }]);
    };
    const s = await start({ resolveHost, maxAttempts: 2, baseDelayMs: 5 });
    const created = await register(s, `http://rebind.example:${r.port}/hook`);
    expect(created.status, created.text).toBe(201);
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 });
    expect(await eventually(async () => (await listDeadLetters(s.service.ctx.db)).length === 1)).toBe(true);
    expect(r.got).toHaveLength(0);
    const dead = await call(`${s.url}/v1/dead-letters`, 'GET', s.admin);
    expect(dead.body).toMatchObject({ items: [{ last_error: 'target refused', attempts: 1 }] });
    expect(dead.text).not.toContain('127.0.0.1');
  });

  it('connects to the very address it checked, for an allow-listed in-house receiver', async () => {
    const r = await webhookReceiver();
    receivers.push(r);
    const seen: string[] = [];
    const resolveHost = (host: string) => {
      seen.push(host);
      return host === 'hooks.internal.test'
        ? Promise.resolve([{ address: '127.0.0.1', family: 4 as const }])
        : Promise.reject(new Error('no such host'));
    };
    const s = await start({ resolveHost, allowPrivate: ['127.0.0.0/8'] });
    expect((await register(s, `http://hooks.internal.test:${r.port}/hook`)).status).toBe(201);
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 });
    expect(await eventually(() => r.got.length === 1)).toBe(true);
    expect(r.got[0]!.headers.host).toBe(`hooks.internal.test:${r.port}`);
    expect(seen.every((h) => h === 'hooks.internal.test')).toBe(true);
    // A private address outside the allow-list is still refused.
    expect((await register(s, 'http://10.1.2.3/hook')).body).toMatchObject({
      error: { code: 'WEBHOOK_TARGET_REFUSED' },
    });
  });

  it('dead letters name a class of failure, not the address or port (no port-scan oracle)', async () => {
    const port = await closedPort();
    const s = await start({ allowPrivate: ['127.0.0.1/32'], maxAttempts: 2, baseDelayMs: 5 });
    expect((await register(s, `http://127.0.0.1:${port}/probe`)).status).toBe(201);
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 });
    expect(await eventually(async () => (await listDeadLetters(s.service.ctx.db)).length === 1)).toBe(true);
    const dead = await call(`${s.url}/v1/dead-letters`, 'GET', s.admin);
    expect(dead.body).toMatchObject({ items: [{ last_error: 'connection failed', attempts: 2 }] });
    expect(dead.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b/);
    // A dead letter stored by an older version, with the system error text, is not shown as is.
    await s.service.ctx.db
      .insertInto('dead_letters')
      .values({
        id: 'dl_legacy',
        delivery_id: 'dl_legacy',
        webhook_id: 'wh_legacy',
        event_type: 'decision.changed',
        payload: '{}',
        attempts: 6,
        last_error: 'connect ECONNREFUSED 127.0.0.1:5432',
        created_at: Date.now(),
      })
      .execute();
    const again = await call(`${s.url}/v1/dead-letters`, 'GET', s.admin);
    expect(again.body).toMatchObject({ items: [{}, { id: 'dl_legacy', last_error: 'delivery failed' }] });
    expect(again.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|5432/);
  });

  it('never echoes user:pass@ or query secrets, and sends the credentials as Basic auth', async () => {
    const r = await webhookReceiver();
    receivers.push(r);
    const port = await closedPort();
    const s = await start({ allowPrivate: ['127.0.0.1/32'], maxAttempts: 1 });
    const good = `http://hookuser:hunter2pass@127.0.0.1:${r.port}/hook?token=s3cr3tquery&v=1`;
    const bad = `http://hookuser:hunter2pass@127.0.0.1:${port}/hook?token=s3cr3tquery`;
    const created = await register(s, good);
    expect(created.status).toBe(201);
    expect(created.text).not.toMatch(/hunter2pass|s3cr3tquery/);
    expect((await register(s, bad)).status).toBe(201);
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 });
    expect(await eventually(() => r.got.length === 1)).toBe(true);
    expect(r.got[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('hookuser:hunter2pass').toString('base64')}`,
    );
    expect(await eventually(async () => (await listDeadLetters(s.service.ctx.db)).length === 1)).toBe(true);
    const list = await call(`${s.url}/v1/webhooks`, 'GET', s.admin);
    expect(list.text).toContain('127.0.0.1');
    const dead = await call(`${s.url}/v1/dead-letters`, 'GET', s.admin);
    const audit = await call(`${s.url}/v1/audit`, 'GET', s.admin);
    for (const text of [list.text, dead.text, audit.text])
      expect(text).not.toMatch(/hunter2pass|s3cr3tquery/);
  });

  it('one endpoint that hangs does not delay another', async () => {
    const slow = await webhookReceiver({ hold: true });
    const fast = await webhookReceiver();
    receivers.push(slow, fast);
    const s = await start({ allowPrivate: ['127.0.0.1/32'], timeoutMs: 60_000 });
    expect((await register(s, slow.url)).status).toBe(201);
    expect((await register(s, fast.url)).status).toBe(201);
    const t0 = Date.now();
    // Two events, the second strictly later: in one global queue, a fast delivery sits behind a slow one.
    await s.service.ctx.webhooks.emit('decision.changed', { n: 1 }, t0);
    await s.service.ctx.webhooks.emit('decision.changed', { n: 2 }, t0 + 1);
    expect(await eventually(() => fast.got.length === 2)).toBe(true);
    // The slow endpoint keeps its own order: its second event waits behind its first.
    expect(slow.got).toHaveLength(1);
    slow.release();
    expect(await eventually(() => slow.got.length === 2)).toBe(true);
    slow.release();
  });

  it('deletes, disables and re-enables a webhook (admin only)', async () => {
    const r = await webhookReceiver();
    receivers.push(r);
    const s = await start({ allowPrivate: ['127.0.0.1/32'] });
    const created = await register(s, r.url);
    const id = (created.body as { id: string }).id;
    const analyst = (
      await call(`${s.url}/v1/keys`, 'POST', s.admin, { json: { name: 'ana', role: 'analyst' } })
    ).body as { key: string };
    expect((await call(`${s.url}/v1/webhooks/${id}`, 'DELETE', analyst.key)).status).toBe(403);
    expect(
      (await call(`${s.url}/v1/webhooks/${id}`, 'PATCH', analyst.key, { json: { active: false } })).status,
    ).toBe(403);

    const off = await call(`${s.url}/v1/webhooks/${id}`, 'PATCH', s.admin, { json: { active: false } });
    expect(off).toMatchObject({ status: 200, body: { id, active: false } });
    expect(await s.service.ctx.webhooks.emit('decision.changed', { n: 1 })).toBe(0);
    await s.service.ctx.webhooks.runOnce();
    expect(r.got).toHaveLength(0);

    const on = await call(`${s.url}/v1/webhooks/${id}`, 'PATCH', s.admin, { json: { active: true } });
    expect(on).toMatchObject({ status: 200, body: { id, active: true } });
    expect(await s.service.ctx.webhooks.emit('decision.changed', { n: 2 })).toBe(1);
    expect(await eventually(() => r.got.length === 1)).toBe(true);

    expect((await call(`${s.url}/v1/webhooks/${id}`, 'DELETE', s.admin)).status).toBe(204);
    expect((await call(`${s.url}/v1/webhooks/${id}`, 'DELETE', s.admin)).body).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    expect((await call(`${s.url}/v1/webhooks`, 'GET', s.admin)).body).toMatchObject({ items: [] });
    expect(await s.service.ctx.webhooks.emit('decision.changed', { n: 3 })).toBe(0);
    // A restart does not bring it back.
    await s.restart();
    expect((await call(`${s.url}/v1/webhooks`, 'GET', s.admin)).body).toMatchObject({ items: [] });
    const audit = await call(`${s.url}/v1/audit`, 'GET', s.admin);
    expect(audit.text).toContain('webhook.delete');
    expect(audit.text).toContain('webhook.disable');
  });
});

describe.each<StoreDialect>(['sqlite', 'postgres'])('webhook backoff and queue bounds (%s)', (dialect) => {
  let t: TestDatabase<CoreDatabase>;
  const receivers: WebhookReceiver[] = [];
  beforeEach(async () => {
    t = await openTestDatabase<CoreDatabase>(dialect);
    await runMigrations(t.db, coreMigrations);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await closeAll(receivers);
    await t.dispose();
  });

  it('retries 1, 2, 4, 8, 16 s after each failure, on time, then dead-letters', async () => {
    const r = await webhookReceiver({ status: 503 });
    receivers.push(r);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const d = new WebhookDispatcher(t.db, { allowPrivate: ['127.0.0.1/32'] });
    await d.load();
    await d.register(parseNewWebhook({ url: r.url, secret: SECRET }));
    d.start();
    await d.emit('decision.changed', { n: 1 });
    const settled = async (attempts: number) =>
      vi.waitFor(
        async () => {
          const [row] = await listDeliveries(t.db);
          if (row?.attempts !== attempts || r.got.length !== attempts) throw new Error('not yet');
        },
        { timeout: 5000, interval: 20 },
      );
    await settled(1);
    for (const [i, delayMs] of [1000, 2000, 4000, 8000, 16000].entries()) {
      await vi.advanceTimersByTimeAsync(delayMs - 1);
      expect(r.got).toHaveLength(i + 1); // not a moment early
      await vi.advanceTimersByTimeAsync(1);
      await settled(i + 2); // and not later than due
    }
    await d.stop();
    expect(r.got).toHaveLength(6);
    expect(await listDeadLetters(t.db)).toMatchObject([{ attempts: 6, last_error: 'HTTP 503' }]);
  });

  it("bounds each endpoint's queue: past the bound, deliveries go to dead letters, never silently lost", async () => {
    const d = new WebhookDispatcher(t.db, { allowPrivate: ['127.0.0.1/32'], maxQueuePerWebhook: 3 });
    await d.load();
    const port = await closedPort();
    await d.register(parseNewWebhook({ url: `http://127.0.0.1:${port}/x`, secret: SECRET }));
    for (let n = 0; n < 5; n++) expect(await d.emit('decision.changed', { n })).toBe(1);
    await d.stop();
    const pending = (await listDeliveries(t.db)).filter((x) => x.status === 'pending');
    expect(pending.length).toBeLessThanOrEqual(3);
    const dead = await listDeadLetters(t.db);
    expect(dead.filter((x) => x.last_error === 'queue full')).toHaveLength(2);
  });
});
