import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectNats } from '../src/pipeline/index.js';
import { scaleProgress } from '../src/store/index.js';
import { CuttableProxy, describeScale, simulatedPrefix } from './scale-harness.js';

// The workers reach NATS through a proxy the test cuts (every connection dropped, nothing
// accepted) and restores. In-flight fetches and acknowledgements are lost on the way; the
// client reconnects, unacknowledged messages come back, and event-id de-duplication keeps
// every count exact.
const input = simulatedPrefix(8_000, 9);

describeScale('scale-out: the NATS connection drops and comes back', 4, (fx) => {
  const proxy = new CuttableProxy('127.0.0.1', 4222);
  beforeAll(() => proxy.open());
  afterAll(() => proxy.close());

  it('workers reconnect and finish with every event counted once', async () => {
    const nc = await connectNats(`nats://127.0.0.1:${proxy.port}`, { reconnectTimeWait: 200 });
    const statuses: string[] = [];
    void (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();
    const workers = [
      await fx.startWorker('drop-0', { nc, leaseMs: 3000, batchSize: 200 }),
      await fx.startWorker('drop-1', { nc, leaseMs: 3000, batchSize: 200 }),
    ];
    await fx.publish(input);

    // Cut while the workers are busy, keep it down past a fetch and an ack, then restore.
    await fx.waitUntilProgress(input.events.length / 4);
    await proxy.cut();
    const during = (await scaleProgress(fx.db)).events;
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.open();

    await fx.waitForApplied(input.events.length);
    for (const w of workers) await w.stop();
    await nc.close();

    expect(during).toBeLessThan(input.events.length);
    expect(statuses).toContain('disconnect');
    expect(statuses).toContain('reconnect');
    const progress = await scaleProgress(fx.db);
    expect(progress.events).toBe(input.events.length);
    expect(await fx.storedEventTotal()).toBe(input.events.length);
    expect(workers.reduce((s, w) => s + w.stats.applied, 0)).toBe(input.events.length);
  }, 600_000);
});
