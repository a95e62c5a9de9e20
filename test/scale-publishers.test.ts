import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsEventSink, ScaleWorker } from '../src/pipeline/index.js';
import { startService } from '../src/server/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../src/store/index.js';
import { TEST_POSTGRES_URL } from './store-harness.js';
import {
  scaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  storedEventTotal,
  waitForApplied,
  type ScaleFixture,
} from './scale-harness.js';
import { call, ndjson, startTestService, type TestService } from './server-harness.js';

// The server's ingest (`serve --nats`) and the gateway's sink (`gateway --nats`) publish to the
// partitioned stream; a worker consumes what they sent, and a re-sent batch counts once.
const skip = await scaleSkipReason();
const input = simulatedPrefix(1_500, 21);

describe.skipIf(skip !== null)('scale-out publishers', () => {
  let fx: ScaleFixture;
  let svc: TestService;
  beforeAll(async () => {
    fx = await scaleFixture(4);
    svc = await startTestService('sqlite', { nats: 'nats://127.0.0.1:4222', natsTopology: fx.topology });
  });
  afterAll(async () => {
    await svc?.dispose();
    await fx?.dispose();
  });

  it('server ingest and the gateway sink reach the workers; re-sent events count once', async () => {
    const half = 900;
    const first = input.events.slice(0, half);
    expect(
      (await call(`${svc.url}/v1/accounts`, 'POST', svc.admin, { raw: ndjson(input.accounts.slice(0, 50)) }))
        .status,
    ).toBe(202);
    expect((await call(`${svc.url}/v1/events`, 'POST', svc.admin, { raw: ndjson(first) })).status).toBe(202);
    // A client retry of the same batch: the server stores nothing new but publishes again.
    expect(
      (await call(`${svc.url}/v1/events`, 'POST', svc.admin, { raw: ndjson(first.slice(0, 100)) })).status,
    ).toBe(202);

    const sink = await NatsEventSink.connect('nats://127.0.0.1:4222', fx.topology);
    await sink.write(input.events.slice(half));
    await sink.write(input.events.slice(half, half + 50)); // the gateway re-sending a spooled batch
    expect(sink.counts.published).toBe(input.events.length - half);
    await sink.close();

    const worker = new ScaleWorker({
      nc: fx.nc,
      db: fx.db,
      topology: fx.topology,
      workerId: 'pub-0',
      scoreEveryMs: 200,
    });
    await worker.start();
    await waitForApplied(fx.db, input.events.length);
    // The worker's scoring loop stores findings where the server and dashboard read them.
    const until = Date.now() + 60_000;
    // (the scoring loop re-scores whenever a partition committed since its last round).
    const scored = async () =>
      (await latestFindingsSnapshot(fx.db as unknown as CoreDb))?.input.events === input.events.length;
    while (!(await scored()) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await worker.stop();
    expect(await storedEventTotal(fx.db)).toBe(input.events.length);
    expect((await latestFindingsSnapshot(fx.db as unknown as CoreDb))?.input.events).toBe(
      input.events.length,
    );

    // `serve --nats` on the workers' PostgreSQL shows the findings the workers stored.
    const shown = await startService({
      databaseUrl: TEST_POSTGRES_URL,
      databaseSchema: fx.schema,
      nats: 'nats://127.0.0.1:4222',
      natsTopology: fx.topology,
      port: 0,
      logger: false,
      adminKey: svc.admin,
    });
    try {
      await shown.ready;
      expect(shown.ctx.live.view.findings.input.events).toBe(input.events.length);
      const res = await call(`${shown.url}/v1/findings`, 'GET', svc.admin);
      expect(res.status).toBe(200);
      expect(res.text).toContain(input.events[0]!.account_id);
    } finally {
      await shown.close();
    }
  }, 300_000);
});
