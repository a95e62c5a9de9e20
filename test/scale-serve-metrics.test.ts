import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningService } from '../src/server/index.js';
import { scoreScale, type MetricsServer } from '../src/pipeline/index.js';
import { parseExposition, value } from './metrics-harness.js';
import { describeScale, serveOnWorkersDatabase, simulatedPrefix, waitFor } from './scale-harness.js';
import { call, ndjson } from './server-harness.js';

// `serve --nats` beside the workers: its /metrics counts what its ingest API took in, and the age
// of the findings it serves is that of the workers' newest snapshot, so one alert on the age
// covers the whole pipeline (API, stream, workers, scoring).
const input = simulatedPrefix(800, 41);

describeScale('scale-out: serve --nats metrics', 4, (fx) => {
  const admin = `dg_scaleMetricsAdmin_${Math.random().toString(36).slice(2)}_0123456789`;
  let service: RunningService;
  let metrics: MetricsServer;
  let base: string;
  beforeAll(async () => {
    service = await serveOnWorkersDatabase(fx, admin);
    await service.ready;
    metrics = await service.serveMetrics(0, '127.0.0.1');
    base = `http://127.0.0.1:${metrics.port}`;
  });
  afterAll(() => service?.close());

  it('counts the events serve published and shows the age of the workers’ newest findings', async () => {
    // The test scores once itself: the scoring lock is database-wide, and a worker scoring every
    // half second would keep it from scale tests running beside this one in other schemas.
    await fx.startWorker('srv-metrics-0', { scoreEveryMs: 0 });
    const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(value(await scrape(), 'distillguard_serve_findings_timestamp_seconds')).toBe(0);

    const post = (route: string, raw: string) => call(`${service.url}${route}`, 'POST', admin, { raw });
    expect((await post('/v1/accounts', ndjson(input.accounts))).status).toBe(202);
    expect(
      (await post('/v1/events', [ndjson(input.events), '{"id":"broken"'].join('\n'))).body,
    ).toMatchObject({
      accepted: input.events.length,
      rejected: 1,
    });
    await fx.waitForApplied(input.events.length, 120_000);
    await waitFor(
      'a scoring round',
      () => scoreScale(fx.db, { force: true }),
      (f) => f !== null,
      {
        timeoutMs: 60_000,
        everyMs: 500,
      },
    );

    // serve reads the workers' snapshot every 5 s.
    const s = await waitFor(
      'serve to show the workers’ findings',
      scrape,
      (m) => value(m, 'distillguard_serve_findings_timestamp_seconds') > 0,
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(value(s, 'distillguard_serve_events_accepted_total', { route: 'POST /v1/events' })).toBe(
      input.events.length,
    );
    expect(value(s, 'distillguard_serve_events_rejected_total', { route: 'POST /v1/events' })).toBe(1);
    expect(value(s, 'distillguard_serve_findings_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(s, 'distillguard_serve_scoring_failures_total')).toBe(0);
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ api: 'listening', database: 'reachable' });
  }, 300_000);
});
