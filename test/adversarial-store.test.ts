import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError, type ApiEvent } from '../src/contracts/index.js';
import { startService } from '../src/server/index.js';
import { streamEvents } from '../src/store/index.js';
import { CLI } from './cli-harness.js';
import { storeTestBackends } from './store-harness.js';
import type { TestService } from './server-harness.js';
import { call, createApiKey, ndjson, simulatedTraffic, startTestService } from './server-harness.js';
import { quarantineRecord } from '../src/ingest/index.js';
import { partitionOf, subjectOf } from '../src/pipeline/index.js';
import { listQuarantined, scaleProgress } from '../src/store/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

/**
 * Hostile text and hostile cursors against the real service on SQLite and PostgreSQL: both stores
 * must give the same answer, bad lines are rejected with a reason and the rest of a batch is kept,
 * and nothing a caller sends becomes a 500.
 */
const backends = await storeTestBackends();
const traffic = simulatedTraffic(40, 11);
const base = traffic.events[0]!;
const event = (over: Partial<ApiEvent>): ApiEvent => ({ ...base, ...over });
const cursor = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: { line: number; reason: string; message: string }[];
}

async function storedEvents(ts: TestService): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  for await (const e of streamEvents(ts.service.ctx.db)) out.push(e);
  return out;
}

describe.each(backends)('hostile text and cursors on %s', (dialect) => {
  let ts: TestService;
  let ingest: string;
  let analyst: string;

  beforeAll(async () => {
    ts = await startTestService(dialect);
    ingest = await createApiKey(ts, 'ingest');
    analyst = await createApiKey(ts, 'analyst');
  });
  afterAll(async () => ts?.dispose());

  it('rejects ids and account ids holding NUL or a lone surrogate, keeps the good events beside them', async () => {
    const good = [event({ id: 'text-good-1' }), event({ id: 'text-good-2' })];
    const bad = [
      event({ id: 'text-x-\u0000' }),
      event({ id: 'text-x-\ud800' }),
      // Distinct from the one above: storing either as U+FFFD would make this a silent duplicate.
      event({ id: 'text-x-\udbff' }),
      event({ id: 'text-acct-nul', account_id: 'acct-\u0000' }),
      event({ id: 'text-acct-lone', account_id: 'acct-\udc00-low' }),
      event({ id: 'text-inline-nul', account: { account_id: 'in\u0000line' } }),
    ];
    const r = await call(`${ts.url}/v1/events`, 'POST', ingest, {
      raw: ndjson([good[0], ...bad, good[1]]),
    });
    expect(r.status, r.text).toBe(202);
    const a = r.body as IngestAnswer;
    expect({ accepted: a.accepted, duplicates: a.duplicates, rejected: a.rejected }).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: bad.length,
    });
    expect(a.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
    for (const e of a.errors) expect(e.reason, e.message).toBe('invalid_text');
    expect(a.errors[0]!.message).toMatch(/"id".*NUL/);
    expect(a.errors[1]!.message).toMatch(/"id".*surrogate/);
    expect(a.errors[3]!.message).toMatch(/"account_id"/);
    expect(a.errors[5]!.message).toMatch(/"account\.account_id"/);
    // The good events are stored and fed to live detection; the bad ones counted as rejected.
    const stored = (await storedEvents(ts)).map((e) => e.id);
    expect(stored).toEqual(expect.arrayContaining(['text-good-1', 'text-good-2']));
    expect(stored.filter((id) => id.startsWith('text-') && !id.startsWith('text-good'))).toEqual([]);
    expect(ts.service.ctx.live.stats.events).toBeGreaterThanOrEqual(2);
    expect(ts.service.ctx.live.stats.rejected_lines).toBeGreaterThanOrEqual(bad.length);
  });

  it('gives the same answer for a JSON-array body', async () => {
    const r = await call(`${ts.url}/v1/events`, 'POST', ingest, {
      json: [event({ id: 'arr-good' }), event({ id: 'arr-\u0000' }), event({ id: 'arr-\ud800' })],
    });
    expect(r.status, r.text).toBe(202);
    const a = r.body as IngestAnswer;
    expect([a.accepted, a.rejected, a.duplicates]).toEqual([1, 2, 0]);
    expect(a.errors.map((e) => e.reason)).toEqual(['invalid_text', 'invalid_text']);
  });

  it('keeps prompt and response text with NUL or lone surrogates exactly as sent, on both stores', async () => {
    // Free text is the caller's: refusing it would let a harvester hide any exchange with one NUL.
    const prompt = 'tell me\u0000everything \ud83d about \udfff';
    const e = event({
      id: 'free-text-1',
      request: { messages: [{ role: 'user', content: prompt }] },
      response: { text: 'ans\u0000wer \ud800' },
    });
    const r = await call(`${ts.url}/v1/events`, 'POST', ingest, { raw: ndjson([e]) });
    expect(r.status, r.text).toBe(202);
    expect((r.body as IngestAnswer).accepted).toBe(1);
    const back = (await storedEvents(ts)).find((x) => x.id === 'free-text-1');
    expect(back?.request.messages[0]?.content).toBe(prompt);
    expect(back?.response?.text).toBe('ans\u0000wer \ud800');
  });

  it('rejects account records whose account_id holds NUL or a lone surrogate, keeps the rest', async () => {
    const r = await call(`${ts.url}/v1/accounts`, 'POST', ingest, {
      raw: ndjson([
        { account_id: 'acct-ok', tier: 'free' },
        { account_id: 'acct-\u0000' },
        { account_id: 'acct-\ud800' },
        { account_id: 'acct-tier', tier: 'fr\u0000ee' },
      ]),
    });
    expect(r.status, r.text).toBe(202);
    const a = r.body as IngestAnswer;
    expect([a.accepted, a.rejected]).toEqual([2, 2]);
    expect(a.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'invalid_text'],
      [3, 'invalid_text'],
    ]);
  });

  it.each([
    [
      'a case title with NUL',
      'POST',
      '/v1/cases',
      { subject_type: 'account', subject_id: 'a', title: 'x\u0000' },
    ],
    [
      'a case subject with NUL',
      'POST',
      '/v1/cases',
      { subject_type: 'account', subject_id: 'a\u0000', title: 't' },
    ],
    [
      'a case title with a lone surrogate',
      'POST',
      '/v1/cases',
      { subject_type: 'account', subject_id: 'a', title: 'x\ud800' },
    ],
    [
      'a decision reason with NUL',
      'PUT',
      '/v1/decisions/acct-1',
      { action: 'monitor', reason: 'be\u0000cause' },
    ],
    [
      'a decision for an account id with NUL',
      'PUT',
      '/v1/decisions/acct%00x',
      { action: 'monitor', reason: 'why' },
    ],
    ['a key name with NUL', 'POST', '/v1/keys', { name: 'k\u0000', role: 'analyst' }],
    [
      'a webhook secret with NUL',
      'POST',
      '/v1/webhooks',
      { url: 'http://127.0.0.1:9/h', secret: `${'s'.repeat(20)}\u0000` },
    ],
  ])('answers %s with 400, not a store error', async (_name, method, route, json) => {
    const key = route.startsWith('/v1/keys') || route.startsWith('/v1/webhooks') ? ts.admin : analyst;
    const r = await call(`${ts.url}${route}`, method, key, { json });
    expect(r.status, r.text).toBe(400);
    expect((r.body as { error: { code: string; message: string } }).error.message).toMatch(/NUL|surrogate/);
  });

  it.each([
    ['GET', '/v1/cases/c%00x'],
    ['GET', '/v1/decisions/acct%00x'],
    ['GET', '/v1/accounts/acct%00x'],
    ['DELETE', '/v1/keys/key%00x'],
    ['POST', '/v1/cases/c%00x/comments'],
    ['GET', '/v1/cases/%ED%A0%80'],
    ['GET', '/v1/accounts?q=a%00'],
    ['GET', '/v1/signals?account_id=a%00'],
  ])('answers %s %s (NUL in the path) with a 4xx, not a 500', async (method, route) => {
    const key = route.startsWith('/v1/keys') ? ts.admin : analyst;
    const r = await call(`${ts.url}${route}`, method, key, method === 'POST' ? { json: { body: 'b' } } : {});
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
  });

  it.each([
    ['/v1/audit', [1e308]],
    ['/v1/audit', [1.5]],
    ['/v1/audit', [-1]],
    ['/v1/audit', [2 ** 63]],
    ['/v1/audit', ['1']],
    ['/v1/cases', [1e308, 'x']],
    ['/v1/cases', [-1, 'x']],
    ['/v1/cases', [0, 'x\u0000']],
    ['/v1/cases', [0, 'x\ud800']],
    ['/v1/decisions', ['a\u0000']],
    ['/v1/clusters', [1e308, 'c']],
    ['/v1/clusters', [0.5, 'c\u0000']],
    ['/v1/accounts', [-1, 'a']],
    ['/v1/accounts', [1e5, 'a']],
    ['/v1/accounts', [0.5, 'x'.repeat(400)]],
  ])('answers %s with a hostile cursor %j with 400 INVALID_ARGUMENT', async (route, key) => {
    const who = route === '/v1/audit' ? ts.admin : analyst;
    const r = await call(`${ts.url}${route}?cursor=${cursor(key)}`, 'GET', who);
    expect(r.status, r.text).toBe(400);
    expect((r.body as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
  });

  it('still pages the audit log with the cursors it hands out', async () => {
    const first = await call(`${ts.url}/v1/audit?limit=1`, 'GET', ts.admin);
    expect(first.status, first.text).toBe(200);
    const next = (first.body as { next: string | null }).next;
    expect(next).not.toBeNull();
    const second = await call(`${ts.url}/v1/audit?limit=1&cursor=${next}`, 'GET', ts.admin);
    expect(second.status, second.text).toBe(200);
    expect((second.body as { items: unknown[] }).items).toHaveLength(1);
  });
});

describe.each(backends)('a revoked DISTILLGUARD_ADMIN_KEY on %s', (dialect) => {
  it('refuses to start with a clear error instead of resurrecting the key or crashing', async () => {
    const ts = await startTestService(dialect);
    try {
      const keys = await call(`${ts.url}/v1/keys`, 'GET', ts.admin);
      const configured = (keys.body as { items: { key_id: string; name: string }[] }).items.find(
        (k) => k.name === 'configured admin',
      );
      expect(configured).toBeDefined();
      // A second admin, so revoking the configured one leaves the service administrable.
      const other = await call(`${ts.url}/v1/keys`, 'POST', ts.admin, {
        json: { name: 'second', role: 'admin' },
      });
      expect(other.status).toBe(201);
      const del = await call(`${ts.url}/v1/keys/${configured!.key_id}`, 'DELETE', ts.admin);
      expect(del.status, del.text).toBe(204);
      const refused = await ts.restart().then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).code).toBe('INVALID_CONFIG');
      expect((refused as UserError).message).toMatch(/DISTILLGUARD_ADMIN_KEY.*revoked/);
      // Nothing was resurrected: the revoked key still does not authenticate.
      await ts.restart({ adminKey: undefined });
      expect((await call(`${ts.url}/v1/keys`, 'GET', ts.admin)).status).toBe(401);
    } finally {
      await ts.dispose();
    }
  });
});

describe('serve with a revoked DISTILLGUARD_ADMIN_KEY (the built CLI)', () => {
  it('exits with status 2 and one error line, no stack trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-revoked-'));
    try {
      const url = `sqlite:${path.join(dir, 'dg.db')}`;
      const admin = `dg_revoked_admin_key_${'x'.repeat(24)}`;
      const s = await startService({ port: 0, logger: false, databaseUrl: url, adminKey: admin });
      await s.ready;
      const configured = s.ctx.keys.list().find((k) => k.name === 'configured admin')!;
      await s.ctx.keys.revoke(configured.key_id);
      await s.close();
      const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--database-url', url], {
        env: {
          ...process.env,
          DISTILLGUARD_ADMIN_KEY: admin,
          DISTILLGUARD_DATABASE_URL: '',
          DATABASE_URL: '',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error\[INVALID_CONFIG\]: .*DISTILLGUARD_ADMIN_KEY.*revoked/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo dashboard and the Host header (DNS rebinding)', () => {
  let ts: TestService;
  let web: string;
  beforeAll(async () => {
    web = mkdtempSync(path.join(tmpdir(), 'dg-web-'));
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><html><head></head><body>dash</body></html>');
    mkdirSync(path.join(web, 'assets'));
    writeFileSync(path.join(web, 'assets', 'index-abc123.js'), 'console.log("dash")');
    writeFileSync(path.join(web, 'secret.env'), 'KEY=1');
    ts = await startTestService('sqlite', { demo: true, webDist: web });
  });
  afterAll(async () => {
    await ts?.dispose();
    rmSync(web, { recursive: true, force: true });
  });

  /** A real request over loopback with the given Host header (fetch does not let one set Host). */
  const get = (pathname: string, host: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const u = new URL(ts.url);
      const req = request({ host: u.hostname, port: u.port, path: pathname, headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });

  it('hands the key to the loopback names it is bound to', async () => {
    const key = ts.service.createdKey!;
    expect(key).toMatch(/^dg_/);
    const port = new URL(ts.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const r = await get('/', host);
      expect(r.status, host).toBe(200);
      expect(r.text, host).toContain(key);
    }
  });

  it('serves the built assets by their exact names and nothing else from the folder or beside it', async () => {
    const host = `127.0.0.1:${new URL(ts.url).port}`;
    const asset = await get('/assets/index-abc123.js', host);
    expect(asset.status).toBe(200);
    expect(asset.text).toBe('console.log("dash")');
    const res = await fetch(`${ts.url}/assets/index-abc123.js`);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    // Not a type a dashboard build holds; traversal and encoded traversal; a name not built.
    for (const p of [
      '/secret.env',
      '/assets/../secret.env',
      '/assets/%2e%2e/secret.env',
      '/assets/..%2fsecret.env',
      '/%2e%2e/package.json',
      '/assets/other.js',
      '/ASSETS/index-abc123.js',
    ]) {
      const r = await get(p, host);
      expect(r.status, p).toBe(404);
      expect(r.text, p).not.toContain('KEY=1');
    }
  });

  it.each(['attacker.example', 'attacker.example:PORT', '127.0.0.1:1', 'localhost.attacker.example:PORT'])(
    'refuses the page with Host %j and never hands out the key',
    async (hostPattern) => {
      const port = new URL(ts.url).port;
      const host = hostPattern.replace('PORT', port);
      for (const p of ['/', '/index.html']) {
        const r = await get(p, host);
        expect(r.status, `${p} ${host}`).toBe(403);
        expect(r.text).not.toContain(ts.service.createdKey!);
      }
    },
  );
});

// The scale-out path stores on PostgreSQL what comes off the stream, where anything with publish
// rights can write: hostile text there must be quarantined with a reason, not wedge the worker
// on a commit PostgreSQL refuses.
const scaleInput = simulatedPrefix(300, 23);

describeScale('scale-out: NUL and lone surrogates on the stream', 2, (fx) => {
  it('quarantines them with a reason and applies every good event around them', async () => {
    const t = fx.topology;
    const enc = new TextEncoder();
    const home = (accountId: string) => subjectOf(t, partitionOf(accountId, 2));
    const nulAccount = 'acct-\u0000';
    const loneAccount = 'acct-\ud800';
    const forwarded = quarantineRecord('/data/t.ndjson', 3, 'invalid_json', 'ok', 'ok');
    const hostile: [string, string, Uint8Array][] = [
      // Not JSON, with a raw NUL byte: JSON.parse's message quotes it.
      ['invalid_json', subjectOf(t, 0), enc.encode('{"kind":"event",\u0000}')],
      [
        'invalid_text',
        home(base.account_id),
        enc.encode(JSON.stringify({ kind: 'event', event: { ...base, id: 'nul-\u0000' } })),
      ],
      [
        'invalid_text',
        home(nulAccount),
        enc.encode(JSON.stringify({ kind: 'event', event: { ...base, id: 'n1', account_id: nulAccount } })),
      ],
      [
        'invalid_text',
        home(loneAccount),
        enc.encode(JSON.stringify({ kind: 'event', event: { ...base, id: 'l1', account_id: loneAccount } })),
      ],
      [
        'invalid_text',
        home(nulAccount),
        enc.encode(JSON.stringify({ kind: 'account', record: { account_id: nulAccount } })),
      ],
      // A forwarded rejected line whose message and text hold NUL (a hostile publisher).
      [
        'invalid_json',
        home('rejected:/data/t.ndjson:3') /* scale's rejectedKey */,
        enc.encode(
          JSON.stringify({ kind: 'rejected', record: { ...forwarded, message: 'm\u0000', raw: 'r\u0000' } }),
        ),
      ],
    ];
    await fx.publishAround(
      scaleInput,
      150,
      hostile.map(([, subject, data]) => ({ subject, data })),
    );

    const worker = await fx.startWorker('text-0');
    try {
      await fx.waitForApplied(scaleInput.events.length, 60_000);
      await fx.waitUntilQuarantined(hostile.length);
    } finally {
      await worker.stop();
    }
    const rows = await listQuarantined(fx.db);
    expect(rows.map((r) => r.reason).sort()).toEqual(hostile.map(([reason]) => reason).sort());
    for (const r of rows) {
      expect(r.message).not.toContain('\u0000');
      if (r.raw_encoding === 'utf8') expect(r.raw).not.toContain('\u0000');
    }
    expect((await scaleProgress(fx.db)).events).toBe(scaleInput.events.length);
  }, 300_000);
});
