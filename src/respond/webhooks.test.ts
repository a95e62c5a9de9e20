import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDeadLetters, listDeliveries, type CoreDatabase } from '../store/index.js';
import { openCoreTestDatabase, type TestDatabase } from '../../test/store-harness.js';
import { webhookReceiver } from '../../test/webhook-receiver.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import { parseNewWebhook, WebhookDispatcher } from './webhooks.js';

describe('WebhookDispatcher', () => {
  let t: TestDatabase<CoreDatabase>;
  const servers: Server[] = [];
  beforeEach(async () => {
    t = await openCoreTestDatabase();
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    await t.dispose();
  });

  it('delivers HMAC-signed payloads a receiver can verify', async () => {
    const ok = await webhookReceiver();
    servers.push(ok.server);
    const d = new WebhookDispatcher(t.db, { allowPrivate: ['127.0.0.1/32'] });
    await d.load();
    await d.register(
      parseNewWebhook({ url: ok.url, secret: 'a-secret-of-16-chars', events: ['decision.changed'] }),
    );
    expect(await d.emit('case.created', { id: 'x' })).toBe(0); // not subscribed
    expect(await d.emit('decision.changed', { account_id: 'acct_1', action: 'block' })).toBe(1);
    await d.runOnce();
    await d.stop();
    expect(ok.got).toHaveLength(1);
    const r = ok.got[0]!;
    const ts = Number(r.headers['x-distillguard-timestamp']);
    const sig = String(r.headers['x-distillguard-signature']);
    expect(verifyWebhookSignature('a-secret-of-16-chars', ts, r.body, sig)).toBe(true);
    expect(verifyWebhookSignature('another-secret-123', ts, r.body, sig)).toBe(false);
    expect(verifyWebhookSignature('a-secret-of-16-chars', ts, r.body.replace('block', 'allow'), sig)).toBe(
      false,
    );
    expect(JSON.parse(r.body)).toMatchObject({ type: 'decision.changed', data: { action: 'block' } });
    expect((await listDeliveries(t.db))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('retries with growing delays, then dead-letters a receiver that keeps failing', async () => {
    let calls = 0;
    const bad = await webhookReceiver({ status: () => (++calls, 503) });
    servers.push(bad.server);
    const d = new WebhookDispatcher(t.db, {
      maxAttempts: 3,
      baseDelayMs: 1000,
      allowPrivate: ['127.0.0.1/32'],
    });
    await d.load();
    await d.register(parseNewWebhook({ url: bad.url, secret: 'a-secret-of-16-chars' }));
    await d.stop();
    const t0 = Date.now();
    await d.emit('decision.changed', { n: 1 }, t0);
    await d.runOnce(t0);
    const after1 = (await listDeliveries(t.db))[0]!;
    expect(after1).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 503' });
    expect(after1.next_attempt_at - after1.updated_at).toBe(1000);
    expect(await d.runOnce(t0 + 10)).toBe(0); // not due yet
    await d.runOnce(after1.next_attempt_at);
    const after2 = (await listDeliveries(t.db))[0]!;
    expect(after2.next_attempt_at - after2.updated_at).toBe(2000);
    await d.runOnce(after2.next_attempt_at);
    expect((await listDeliveries(t.db))[0]).toMatchObject({ status: 'dead', attempts: 3 });
    expect(await listDeadLetters(t.db)).toMatchObject([
      { attempts: 3, last_error: 'HTTP 503', event_type: 'decision.changed' },
    ]);
    expect(calls).toBe(3);
  });

  it('refuses bad registrations with a clear message', () => {
    expect(() => parseNewWebhook({ url: 'ftp://x', secret: 'a-secret-of-16-chars' })).toThrow(
      /url must be an http/,
    );
    expect(() => parseNewWebhook({ url: 'http://x', secret: 'short' })).toThrow(/at least 16/);
    expect(() =>
      parseNewWebhook({ url: 'http://x', secret: 'a-secret-of-16-chars', events: ['nope'] }),
    ).toThrow(/events\.0.*decision\.changed/);
  });
});
