import type { JsMsg } from 'nats';
import { describe, expect, it } from 'vitest';
import { consumerOf, ScalePublisher, ScaleWorker } from '../src/scale/index.js';
import {
  useScaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  storedEventTotal,
  waitForApplied,
} from './scale-harness.js';

// Deliveries a worker never saw (here another client's fetch on the same consumer; in practice a
// CPU-starved fetch that ended on its own timer before reading what the server sent) come back
// only after the ack wait. The worker notices the hole in the consumer's delivery sequence and
// holds its batch back until they are redelivered, so every event is applied in stream order.
const skip = await scaleSkipReason();
const input = simulatedPrefix(1_200, 29);

describe.skipIf(skip !== null)('scale-out: missing deliveries keep stream order', () => {
  const fx = useScaleFixture(1, { ackWaitMs: 2000 });

  it('holds a batch back behind deliveries it missed; nothing reordered, nothing lost', async () => {
    const t = fx.topology;
    const pub = new ScalePublisher(fx.nc, t);
    await pub.publishEvents(input.events.slice(0, 600));
    await pub.flush();
    const worker = new ScaleWorker({
      nc: fx.nc,
      db: fx.db,
      topology: t,
      workerId: 'order-0',
      batchSize: 50,
      leaseMs: 5000,
    });
    await worker.start();
    await waitForApplied(fx.db, 600);

    // Another pull on the same consumer takes some deliveries and never acknowledges them.
    const consumer = await fx.nc.jetstream().consumers.get(t.stream, consumerOf(t, 0));
    const taken: JsMsg[] = [];
    const thief = (async () => {
      for await (const m of await consumer.fetch({ max_messages: 20, expires: 5000 })) taken.push(m);
    })();
    await new Promise((r) => setTimeout(r, 300));
    await pub.publishEvents(input.events.slice(600));
    await pub.flush();
    await thief;
    expect(taken.length).toBeGreaterThan(0);

    await waitForApplied(fx.db, input.events.length, 120_000);
    await worker.stop();
    expect(worker.stats.gaps).toBeGreaterThanOrEqual(1);
    expect(worker.stats.reordered).toBe(0);
    expect(worker.stats.applied).toBe(input.events.length);
    expect(await storedEventTotal(fx.db)).toBe(input.events.length);
  }, 180_000);
});
