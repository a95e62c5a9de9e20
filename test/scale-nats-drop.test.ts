import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, ScalePublisher, ScaleWorker } from '../src/pipeline/index.js';
import { scaleProgress } from '../src/store/index.js';
import {
  CuttableProxy,
  scaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  storedEventTotal,
  waitForApplied,
  type ScaleFixture,
} from './scale-harness.js';

// The workers reach NATS through a proxy the test cuts (every connection dropped, nothing
// accepted) and restores. In-flight fetches and acknowledgements are lost on the way; the
// client reconnects, unacknowledged messages come back, and event-id de-duplication keeps
// every count exact.
const skip = await scaleSkipReason();
const input = simulatedPrefix(8_000, 9);

describe.skipIf(skip !== null)('scale-out: the NATS connection drops and comes back', () => {
  let fx: ScaleFixture;
  const proxy = new CuttableProxy('127.0.0.1', 4222);
  beforeAll(async () => {
    fx = await scaleFixture(4);
    await proxy.open();
  });
  afterAll(async () => {
    await proxy.close();
    await fx?.dispose();
  });

  it('workers reconnect and finish with every event counted once', async () => {
    const nc = await connectNats(`nats://127.0.0.1:${proxy.port}`, { reconnectTimeWait: 200 });
    const statuses: string[] = [];
    void (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();
    const workers = [0, 1].map(
      (i) =>
        new ScaleWorker({
          nc,
          db: fx.db,
          topology: fx.topology,
          workerId: `drop-${i}`,
          leaseMs: 3000,
          batchSize: 200,
        }),
    );
    for (const w of workers) await w.start();
    const pub = new ScalePublisher(fx.nc, fx.topology);
    await pub.publishAccounts(input.accounts);
    await pub.publishEvents(input.events);
    await pub.flush();

    // Cut while the workers are busy, keep it down past a fetch and an ack, then restore.
    const until = Date.now() + 120_000;
    while ((await scaleProgress(fx.db)).events < input.events.length / 4) {
      if (Date.now() > until) throw new Error('workers made no progress');
      await new Promise((r) => setTimeout(r, 50));
    }
    await proxy.cut();
    const during = (await scaleProgress(fx.db)).events;
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.open();

    await waitForApplied(fx.db, input.events.length);
    for (const w of workers) await w.stop();
    await nc.close();

    expect(during).toBeLessThan(input.events.length);
    expect(statuses).toContain('disconnect');
    expect(statuses).toContain('reconnect');
    const progress = await scaleProgress(fx.db);
    expect(progress.events).toBe(input.events.length);
    expect(await storedEventTotal(fx.db)).toBe(input.events.length);
    expect(workers.reduce((s, w) => s + w.stats.applied, 0)).toBe(input.events.length);
  }, 600_000);
});
