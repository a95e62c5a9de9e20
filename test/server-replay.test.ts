import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Findings } from '../src/contracts/index.js';
import { call, ndjson, simulatedTraffic, startTestService, type TestService } from './server-harness.js';

describe('ingest while detection rebuilds after a restart', () => {
  const traffic = simulatedTraffic(6000, 13);
  let ts: TestService;
  beforeAll(async () => {
    ts = await startTestService('sqlite');
  });
  afterAll(async () => ts.dispose());

  it('answers at once, stores new events, and feeds every event to the engine exactly once', async () => {
    const first = traffic.events.slice(0, 4000);
    expect((await call(`${ts.url}/v1/events`, 'POST', ts.admin, { raw: ndjson(first) })).status).toBe(202);

    await ts.restart({}, false);
    // Overlapping batches race the rebuild: 1000 already stored, 2000 new.
    const overlap = traffic.events.slice(3000, 6000);
    const answers = await Promise.all(
      [0, 1, 2].map((i) =>
        call(`${ts.url}/v1/events`, 'POST', ts.admin, {
          raw: ndjson(overlap.slice(i * 1000, (i + 1) * 1000)),
        }),
      ),
    );
    const health = await call(`${ts.url}/healthz`, 'GET', null);
    expect(['replaying', 'ok']).toContain((health.body as { status: string }).status);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const accepted = answers.reduce((s, a) => s + (a.body as { accepted: number }).accepted, 0);
    expect(accepted).toBe(2000);

    expect((await ts.service.ready).events).toBeGreaterThanOrEqual(4000);
    await ts.service.ctx.live.refresh();
    const findings = (await call(`${ts.url}/v1/findings`, 'GET', ts.admin)).body as Findings;
    expect(findings.input.events).toBe(6000);
    expect(ts.service.ctx.live.stats.events).toBe(6000);
    expect((await call(`${ts.url}/healthz`, 'GET', null)).body).toMatchObject({ status: 'ok', events: 6000 });
  });
});
