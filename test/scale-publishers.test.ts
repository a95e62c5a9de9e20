import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsEventSink } from '../src/pipeline/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../src/store/index.js';
import { describeScale, serveOnWorkersDatabase, simulatedPrefix, waitFor } from './scale-harness.js';
import { call, ndjson, startTestService, type TestService } from './server-harness.js';

// The server's ingest (`serve --nats`) and the gateway's sink (`gateway --nats`) publish to the
// partitioned stream; a worker consumes what they sent, and a re-sent batch counts once.
const input = simulatedPrefix(1_500, 21);

describeScale('scale-out publishers', 4, (fx) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService('sqlite', { nats: 'nats://127.0.0.1:4222', natsTopology: fx.topology });
  });
  afterAll(() => svc?.dispose());

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

    const worker = await fx.startWorker('pub-0', { scoreEveryMs: 200 });
    await fx.waitForApplied(input.events.length);
    // The worker's scoring loop stores findings where the server and dashboard read them
    // (it re-scores whenever a partition committed since its last round).
    await waitFor(
      'findings over every event',
      () => latestFindingsSnapshot(fx.db as unknown as CoreDb),
      (f) => f?.input.events === input.events.length,
      { timeoutMs: 60_000 },
    );
    await worker.stop();
    expect(await fx.storedEventTotal()).toBe(input.events.length);
    expect((await latestFindingsSnapshot(fx.db as unknown as CoreDb))?.input.events).toBe(
      input.events.length,
    );

    // `serve --nats` on the workers' PostgreSQL shows the findings the workers stored.
    const shown = await serveOnWorkersDatabase(fx, svc.admin);
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
