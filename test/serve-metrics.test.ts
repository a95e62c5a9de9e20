import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { MetricsServer } from '../src/pipeline/index.js';
import { CLI, ensureBuilt, runCli } from './cli-harness.js';
import { call, ndjson, simulatedTraffic, startTestService, type TestService } from './server-harness.js';
import { parseExposition, value } from './metrics-harness.js';
import { storeTestBackends } from './store-harness.js';

// An on-call engineer scrapes `serve` as they scrape the workers: what the ingest API accepted
// and refused, whether the engine keeps up, how old the findings are, how the API answers. On a
// port of its own, without an API key.

const backends = await storeTestBackends();

describe.each(backends)('serve metrics on %s', (dialect) => {
  let ts: TestService;
  let metrics: MetricsServer;
  let base: string;
  const traffic = simulatedTraffic(600, 23);
  const scrape = async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    return parseExposition(await r.text());
  };

  beforeAll(async () => {
    ts = await startTestService(dialect);
    metrics = await ts.service.serveMetrics(0, '127.0.0.1');
    base = `http://127.0.0.1:${metrics.port}`;
  }, 60_000);
  afterAll(async () => {
    await ts?.dispose();
  });

  it('is its own listener, answers without an API key, and /healthz says the API and database are up', async () => {
    expect(new URL(ts.url).port).not.toBe(String(metrics.port));
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
    const body = (await h.json()) as Record<string, unknown>;
    expect(body).toEqual({ status: 'ok', api: 'listening', database: 'reachable', replaying: false });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const before = await scrape();
    expect(value(before, 'distillguard_serve_events_accepted_total')).toBe(0);
    for (const basic of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
    ])
      expect(value(before, basic)).toBeGreaterThan(0);
  });

  it('counts ingest, the engine, scoring, decisions and HTTP requests as they happen', async () => {
    const { accounts, events } = traffic;
    expect((await call(`${ts.url}/v1/accounts`, 'POST', ts.admin, { raw: ndjson(accounts) })).status).toBe(
      202,
    );
    const first = events.slice(0, 400);
    const bad = ['{"id":"broken"', '{"not":"an event"}'];
    const r1 = await call(`${ts.url}/v1/events`, 'POST', ts.admin, {
      raw: [ndjson(first), ...bad].join('\n'),
    });
    expect(r1.status).toBe(202);
    expect(r1.body).toMatchObject({ accepted: 400, rejected: 2 });
    // The same events again (duplicates) and 200 new ones; then a body with nothing valid (400).
    const r2 = await call(`${ts.url}/v1/events`, 'POST', ts.admin, { raw: ndjson(events) });
    expect(r2.body).toMatchObject({ accepted: 200, duplicates: 400 });
    const r3 = await call(`${ts.url}/v1/events`, 'POST', ts.admin, { raw: bad.join('\n') });
    expect(r3.status).toBe(400);
    // Refused for want of a key: counted as a 4xx like any other answer.
    expect((await call(`${ts.url}/v1/events`, 'POST', null, { raw: ndjson(first) })).status).toBe(401);

    await ts.service.ctx.live.refresh();
    const looked = accounts.slice(0, 5).map((a) => a.account_id);
    for (const id of looked)
      expect((await call(`${ts.url}/v1/decisions/${encodeURIComponent(id)}`, 'GET', ts.admin)).status).toBe(
        200,
      );

    const s = await scrape();
    const route = { route: 'POST /v1/events' };
    expect(value(s, 'distillguard_serve_events_accepted_total', route)).toBe(600);
    expect(value(s, 'distillguard_serve_events_duplicate_total', route)).toBe(400);
    expect(value(s, 'distillguard_serve_events_rejected_total', route)).toBe(4);
    expect(value(s, 'distillguard_serve_accounts_total', { outcome: 'accepted' })).toBe(accounts.length);
    expect(value(s, 'distillguard_serve_engine_events_applied_total')).toBe(600);
    expect(value(s, 'distillguard_serve_engine_backlog_events')).toBe(0);
    expect(value(s, 'distillguard_serve_engine_unscored_events')).toBe(0);
    expect(value(s, 'distillguard_serve_replaying')).toBe(0);
    expect(value(s, 'distillguard_serve_scoring_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(s, 'distillguard_serve_scoring_failures_total')).toBe(0);
    expect(value(s, 'distillguard_serve_findings_timestamp_seconds')).toBeGreaterThan(0);
    expect(s.has('distillguard_serve_findings_age_seconds')).toBe(true);
    expect(value(s, 'distillguard_serve_findings_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(s, 'distillguard_serve_decision_lookups_total')).toBe(looked.length);

    // HTTP: by route pattern (never the URL, which carries account ids) and status class.
    const http = 'distillguard_serve_http_requests_total';
    expect(value(s, http, { route: '/v1/events', method: 'POST', code: '2xx' })).toBe(2);
    expect(value(s, http, { route: '/v1/events', method: 'POST', code: '4xx' })).toBe(2);
    expect(value(s, http, { route: '/v1/decisions/:account_id', code: '2xx' })).toBe(looked.length);
    expect(value(s, 'distillguard_serve_http_request_duration_seconds_count', { route: '/v1/events' })).toBe(
      4,
    );
    expect(
      value(s, 'distillguard_serve_http_request_duration_seconds_bucket', {
        route: '/v1/events',
        le: '+Inf',
      }),
    ).toBe(4);
    for (const series of s.keys()) for (const id of looked) expect(series).not.toContain(id);
  });

  it('/healthz answers 503 once the API stops listening', async () => {
    await ts.service.app.close();
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({ status: 'unavailable', api: 'closed', database: 'reachable' });
  });
});

describe('serve --metrics-port (the CLI)', () => {
  const children: ChildProcess[] = [];
  beforeAll(ensureBuilt, 300_000);
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('serves /metrics and /healthz on the port given, printed at start', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'dg-serve-metrics-'));
    const admin = `dg_metricsTestAdmin_${Math.random().toString(36).slice(2)}_0123456789`;
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--data-dir', data, '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
      {
        env: { ...process.env, DISTILLGUARD_ADMIN_KEY: admin, DISTILLGUARD_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    const [api, scrapeUrl] = await new Promise<[string, string]>((ok, fail) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const a = /listening on (http:\/\/\S+)/.exec(out);
        const m = /metrics \(no API key\): (http:\/\/\S+\/metrics)/.exec(out);
        if (a && m) ok([a[1]!, m[1]!]);
      });
      child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
    });
    const { events } = simulatedTraffic(50, 29);
    expect((await call(`${api}/v1/events`, 'POST', admin, { raw: ndjson(events) })).status).toBe(202);
    // The built serve scores in a worker thread: the engine catches up, then a round covers all.
    let s = new Map<string, number>();
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      s = parseExposition(await (await fetch(scrapeUrl)).text());
      if (
        value(s, 'distillguard_serve_engine_unscored_events') === 0 &&
        value(s, 'distillguard_serve_engine_events_applied_total') === 50
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(value(s, 'distillguard_serve_events_accepted_total')).toBe(50);
    expect(value(s, 'distillguard_serve_engine_events_applied_total')).toBe(50);
    expect(value(s, 'distillguard_serve_engine_backlog_events')).toBe(0);
    expect(value(s, 'distillguard_serve_engine_unscored_events')).toBe(0);
    expect(value(s, 'distillguard_serve_scoring_seconds_count')).toBeGreaterThanOrEqual(1);
    expect((await fetch(scrapeUrl.replace(/\/metrics$/, '/healthz'))).status).toBe(200);
    child.kill('SIGTERM');
  }, 60_000);

  it('a metrics port in use is a one-line user error naming --metrics-port, not a stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const data = mkdtempSync(path.join(tmpdir(), 'dg-serve-metrics-busy-'));
      const r = await runCli(
        [
          'serve',
          '--port',
          '0',
          '--data-dir',
          data,
          '--metrics-port',
          String(port),
          '--metrics-host',
          '127.0.0.1',
        ],
        { env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'silent' } },
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^error\[INVALID_ARGUMENT\]: port \d+ on 127\.0\.0\.1 is already in use/);
      expect(r.stderr).toContain('--metrics-port');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  }, 60_000);
});
