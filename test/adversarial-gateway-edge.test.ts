import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, startGateway, type RunningGateway } from '../src/gateway/index.js';
import { HttpEventSink } from '../src/pipeline/index.js';
import type { ApiEvent } from '../src/contracts/index.js';
import { recentEventsOf, type StoreDialect } from '../src/store/index.js';
import { startTestService, type TestService } from './server-harness.js';

/**
 * "Hold under attack", gateway edge: events the server refuses are never lost, the server's
 * per-key rate limit is keyed by who the caller is (not how they spell the header), a refused
 * caller learns nothing about the detection, and a blocked key cannot pass by moving where it sits.
 */

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const dialects: StoreDialect[] = ['sqlite', 'postgres'];

/** A loopback model API that records the headers of every request it gets. */
class FakeModel {
  readonly seen: IncomingHttpHeaders[] = [];
  private readonly server: Server = createServer((req, res) => {
    this.seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'demo-1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'An answer.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const chat = async (
  url: string,
  headers: Record<string, string>,
  content = 'hello',
  query?: string,
): Promise<{ status: number; text: string; json: Record<string, unknown> }> => {
  const res = await request(`${url}/v1/chat/completions${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'demo-1', messages: [{ role: 'user', content }] }),
  });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.statusCode, text, json };
};

const until = async (cond: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const readEvents = (path: string): ApiEvent[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as ApiEvent)
    : [];

const gatewayOf = (e: ApiEvent): Record<string, unknown> =>
  (e as unknown as { gateway: Record<string, unknown> }).gateway;

describe.each(dialects)('recorded events are never lost (%s server)', (dialect) => {
  let svc: TestService;
  let model: FakeModel;
  let upstream: string;
  const dir = mkdtempSync(join(tmpdir(), 'dg-adv-gw-'));

  beforeAll(async () => {
    svc = await startTestService(dialect);
    model = new FakeModel();
    upstream = await model.listen();
  });
  afterAll(async () => {
    await model?.close();
    await svc?.dispose();
  });

  const startWith = async (name: string): Promise<RunningGateway> => {
    const keys = join(dir, `${name}-keys.json`);
    writeFileSync(keys, JSON.stringify({ [sha(`sk-${name}`)]: `acct-${name}-${dialect}` }));
    return startGateway({
      upstream,
      port: 0,
      server: svc.url,
      serverKey: svc.admin,
      keysFile: keys,
      spool: join(dir, `${name}-spool.ndjson`),
    });
  };

  const recorded = (gw: RunningGateway) =>
    gw.gateway.stats.events as { sent: number; spooled: number; rejected: number; recorded: number };

  /** Waits until `n` events left the gateway: sent, spooled or rejected. */
  const untilLeft = (gw: RunningGateway, n: number) =>
    until(() => {
      const s = recorded(gw);
      return s.sent + s.spooled + s.rejected >= n;
    }, `${n} events to leave the gateway`);

  it('a prompt over the server line limit, sent alone, is stored truncated with a marker, not respooled forever', async () => {
    const gw = await startWith('big');
    try {
      const prompt = 'extract this. '.repeat(200_000); // ~2.7 MiB: under the gateway's 20 MiB, over 1 MiB
      expect((await chat(gw.url, { authorization: 'Bearer sk-big' }, prompt)).status).toBe(200);
      await untilLeft(gw, 1);
      expect(recorded(gw)).toMatchObject({ recorded: 1, sent: 1, spooled: 0, rejected: 0 });
      const stored = await recentEventsOf(svc.service.ctx.db, `acct-big-${dialect}`, 10);
      expect(stored).toHaveLength(1);
      const content = stored[0]!.request.messages[0]!.content as string;
      expect(content.startsWith('extract this. extract this.')).toBe(true);
      expect(content).toMatch(/\[truncated by the DistillGuard gateway: \d+ bytes omitted\]$/);
      expect(Buffer.byteLength(JSON.stringify(stored[0]))).toBeLessThanOrEqual(1024 * 1024);
      expect(gatewayOf(stored[0]!).truncated).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('an over-long prompt in a batch with others is stored too, not counted as sent and lost', async () => {
    const gw = await startWith('mixed');
    try {
      const big = 'harvest '.repeat(320_000); // ~2.5 MiB
      const answers = await Promise.all([
        chat(gw.url, { authorization: 'Bearer sk-mixed' }, 'a small question'),
        chat(gw.url, { authorization: 'Bearer sk-mixed' }, big),
        chat(gw.url, { authorization: 'Bearer sk-mixed' }, 'another small question'),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await untilLeft(gw, 3);
      expect(recorded(gw)).toMatchObject({ recorded: 3, sent: 3, spooled: 0, rejected: 0 });
      const stored = await recentEventsOf(svc.service.ctx.db, `acct-mixed-${dialect}`, 10);
      expect(stored).toHaveLength(3);
      expect(stored.filter((e) => gatewayOf(e).truncated === true)).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });

  const ev = (id: string, patch: Record<string, unknown> = {}): ApiEvent => ({
    id,
    ts: '2026-11-23T06:00:00Z',
    account_id: `acct-sink-${dialect}`,
    model: 'demo-1',
    request: { messages: [{ role: 'user', content: `q ${id}` }] },
    ...patch,
  });

  /** A recorder sending to the service, spooling at `spool`; it flushes and drains only when told. */
  const recorderTo = (spool: string) =>
    new EventRecorder({
      sink: new HttpEventSink(svc.url, svc.admin),
      spoolPath: spool,
      flushIntervalMs: 100_000,
      drainIntervalMs: 100_000,
    });

  it('a line the server rejects inside an accepted batch lands in .rejected with the reason', async () => {
    const spool = join(dir, 'partial-spool.ndjson');
    const r = recorderTo(spool);
    try {
      r.record(ev(`p1-${dialect}`));
      r.record(ev(`p2-${dialect}`, { ts: 'yesterday at noon' }));
      r.record(ev(`p3-${dialect}`));
      await r.flush();
      expect(r.stats).toMatchObject({ recorded: 3, sent: 2, rejected: 1, spooled: 0, pending: 0 });
      expect(readEvents(`${spool}.rejected`).map((e) => e.id)).toEqual([`p2-${dialect}`]);
      const reasons = readEvents(`${spool}.rejected.reasons`) as unknown as Record<string, unknown>[];
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatchObject({ id: `p2-${dialect}`, reason: 'bad_timestamp' });
      expect(String(reasons[0]!.message)).toContain('ts');
    } finally {
      await r.close();
    }
  });

  it('a batch the server refuses whole (400) lands in .rejected once, never in an endless respool', async () => {
    const spool = join(dir, 'whole-spool.ndjson');
    const r = recorderTo(spool);
    try {
      r.record(ev(`w1-${dialect}`, { ts: 'not a time' }));
      r.record(ev(`w2-${dialect}`, { account_id: '' }));
      await r.flush();
      await r.drain();
      await r.drain();
      expect(existsSync(spool)).toBe(false);
      expect(r.stats).toMatchObject({ recorded: 2, sent: 0, rejected: 2, spooled: 0, pending: 0 });
      expect(readEvents(`${spool}.rejected`).map((e) => e.id)).toEqual([`w1-${dialect}`, `w2-${dialect}`]);
      const reasons = readEvents(`${spool}.rejected.reasons`) as unknown as Record<string, unknown>[];
      expect(reasons.map((x) => x.reason)).toEqual(['bad_timestamp', 'invalid_value']);
    } finally {
      await r.close();
    }
  });
});

describe.each(dialects)(
  'the per-key rate limit counts callers, not header spellings (%s server)',
  (dialect) => {
    let svc: TestService;
    beforeAll(async () => {
      svc = await startTestService(dialect, { limits: { ratePerMinute: 4 } });
    });
    afterAll(async () => {
      await svc?.dispose();
    });

    const get = async (authorization: string): Promise<number> => {
      const res = await request(`${svc.url}/v1/decisions`, { headers: { authorization } });
      await res.body.text();
      return res.statusCode;
    };

    it('re-spelling the Authorization header does not buy a fresh bucket', async () => {
      const k = svc.admin;
      const statuses: number[] = [];
      for (const spelling of [`Bearer ${k}`, `Bearer  ${k}`, `bearer ${k}`, `BEARER ${k}`, `Bearer ${k} `])
        for (let i = 0; i < 2; i++) statuses.push(await get(spelling));
      // 10 requests by one key at 4 per minute: the first 4 pass, the rest are limited.
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    });

    it('failed-auth requests are counted, per client address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push(await get(`Bearer dg_guess_${i}_0123456789abcdefghijklmn`));
      expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    });
  },
);

describe('a refused caller learns nothing, and a blocked key cannot change its place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-adv-gw-edge-'));
  const model = new FakeModel();
  const blockedKey = 'sk-blocked-key-1';
  const otherKey = 'sk-other-key-2';
  const reason = 'hydra cluster c-12: template reuse 0.93, 412 accounts, detector prompt_templating';
  let gw: RunningGateway;
  let trusting: RunningGateway;
  const events = join(dir, 'events.ndjson');
  const trustingEvents = join(dir, 'trusting-events.ndjson');

  beforeAll(async () => {
    const keys = join(dir, 'keys.json');
    writeFileSync(
      keys,
      JSON.stringify({
        [sha(blockedKey)]: 'acct-blocked',
        [sha(otherKey)]: 'acct-other',
        [sha('sk-stepup')]: 'acct-stepup',
        [sha('sk-throttled')]: 'acct-throttled',
      }),
    );
    const decisions = join(dir, 'decisions.json');
    writeFileSync(
      decisions,
      JSON.stringify([
        { account_id: 'acct-blocked', action: 'block', reason },
        { account_id: 'acct-stepup', action: 'step_up', reason: `step-up: ${reason}` },
        { account_id: 'acct-throttled', action: 'throttle', rate_per_minute: 1, reason: `slow: ${reason}` },
      ]),
    );
    const upstream = await model.listen();
    gw = await startGateway({
      upstream,
      port: 0,
      keysFile: keys,
      decisionsFile: decisions,
      eventsOut: events,
      spool: join(dir, 'spool.ndjson'),
    });
    trusting = await startGateway({
      upstream,
      port: 0,
      keysFile: keys,
      decisionsFile: decisions,
      trustAccountHeader: true,
      eventsOut: trustingEvents,
      spool: join(dir, 'trusting-spool.ndjson'),
    });
  });
  afterAll(async () => {
    await gw?.close();
    await trusting?.close();
    await model.close();
  });

  const errorOf = (json: Record<string, unknown>) => json.error as Record<string, unknown>;

  it('a block answers a stable code, a generic message and a support reference; the reason stays in the event', async () => {
    const a = await chat(gw.url, { authorization: `Bearer ${blockedKey}` });
    expect(a.status).toBe(403);
    const err = errorOf(a.json);
    expect(err.code).toBe('account_blocked');
    const ref = err.support_reference;
    expect(typeof ref).toBe('string');
    // (The reference is random hex: leave it out, or '412' could turn up in it by chance.)
    const said = a.text.replaceAll(String(ref), '');
    for (const leak of ['hydra', 'c-12', '0.93', '412', 'template', 'detector'])
      expect(said).not.toContain(leak);
    expect(String(err.message)).toContain(String(ref));
    // A second refusal gets another reference: nothing stable to correlate on the caller's side.
    const b = await chat(gw.url, { authorization: `Bearer ${blockedKey}` });
    expect(errorOf(b.json).support_reference).not.toBe(ref);
    await until(() => readEvents(events).some((e) => gatewayOf(e).support_reference === ref), 'the event');
    const recorded = readEvents(events).find((e) => gatewayOf(e).support_reference === ref)!;
    expect(recorded.account_id).toBe('acct-blocked');
    expect(gatewayOf(recorded)).toMatchObject({ action: 'block', status: 403, reason });
  });

  it('step-up and throttle answers carry no decision reason either', async () => {
    const s = await chat(gw.url, { authorization: 'Bearer sk-stepup' });
    expect(s.status).toBe(403);
    expect(errorOf(s.json).code).toBe('verification_required');
    expect(typeof errorOf(s.json).support_reference).toBe('string');
    expect(s.text).not.toContain('hydra');
    let t = await chat(gw.url, { authorization: 'Bearer sk-throttled' });
    for (let i = 0; i < 5 && t.status !== 429; i++)
      t = await chat(gw.url, { authorization: 'Bearer sk-throttled' });
    expect(t.status).toBe(429);
    expect(errorOf(t.json).code).toBe('account_throttled');
    expect(typeof errorOf(t.json).support_reference).toBe('string');
    expect(t.text).not.toContain('hydra');
  });

  it.each([
    ['api-key header (Azure)', { 'api-key': blockedKey }],
    ['x-api-key header', { 'x-api-key': blockedKey }],
    [
      'Basic auth, key as password',
      { authorization: `Basic ${Buffer.from(`user:${blockedKey}`).toString('base64')}` },
    ],
    [
      'Basic auth, key as user',
      { authorization: `Basic ${Buffer.from(`${blockedKey}:`).toString('base64')}` },
    ],
    ['a lower-case scheme with extra spaces', { authorization: `bearer   ${blockedKey}` }],
    [
      'Basic auth, known key as user beside a password',
      { authorization: `Basic ${Buffer.from(`${blockedKey}:x`).toString('base64')}` },
    ],
    ['a bearer value with junk after the key', { authorization: `Bearer ${blockedKey} junk` }],
    ['a query parameter', { 'x-query': `key=${blockedKey}` }],
  ])('a blocked key sent as %s is still blocked', async (_name, headers) => {
    const before = model.seen.length;
    const { 'x-query': query, ...rest } = headers as Record<string, string>;
    const a = await chat(gw.url, rest, 'hello', query);
    expect([401, 403]).toContain(a.status);
    expect(['account_blocked', 'conflicting_credentials']).toContain(errorOf(a.json).code);
    expect(model.seen.length).toBe(before);
  });

  it('two different keys in two places are refused (fail closed); the same key twice passes', async () => {
    const before = model.seen.length;
    const a = await chat(gw.url, { authorization: `Bearer ${otherKey}`, 'api-key': blockedKey });
    expect(a.status).toBe(401);
    expect(errorOf(a.json).code).toBe('conflicting_credentials');
    expect(a.text).not.toContain(blockedKey);
    expect(model.seen.length).toBe(before);
    const b = await chat(gw.url, { authorization: `Bearer ${otherKey}`, 'x-api-key': otherKey });
    expect(b.status).toBe(200);
  });

  it('X-Account-Id from a client never reaches the upstream, trusted or not', async () => {
    for (const g of [gw, trusting]) {
      const before = model.seen.length;
      const a = await chat(g.url, { authorization: `Bearer ${otherKey}`, 'x-account-id': 'acct-forged' });
      expect(a.status).toBe(200);
      expect(model.seen.length).toBe(before + 1);
      expect(model.seen.at(-1)!['x-account-id']).toBeUndefined();
      expect(model.seen.at(-1)!.authorization).toBe(`Bearer ${otherKey}`);
    }
  });

  it('the 502 for an unreachable upstream does not name the upstream address', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = await startGateway({
      upstream: `http://127.0.0.1:${port}`,
      port: 0,
      eventsOut: join(dir, 'down-events.ndjson'),
      spool: join(dir, 'down-spool.ndjson'),
    });
    try {
      const a = await chat(down.url, { authorization: `Bearer ${otherKey}` });
      expect(a.status).toBe(502);
      expect(errorOf(a.json).code).toBe('upstream_unavailable');
      const said = a.text.replaceAll(String(errorOf(a.json).support_reference), '');
      expect(said).not.toContain('127.0.0.1');
      expect(said).not.toContain(String(port));
      expect(said).not.toMatch(/ECONNREFUSED/);
    } finally {
      await down.close();
    }
    // The address stays in the audit trail.
    const rec = readEvents(join(dir, 'down-events.ndjson'));
    expect(rec).toHaveLength(1);
    expect(String(gatewayOf(rec[0]!).upstream_error)).toContain(String(port));
  });
});
