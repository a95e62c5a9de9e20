import type { JsMsg } from 'nats';
import { expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { restoreStoredAccount } from '../src/pipeline/index.js';
import { allAccountStates } from '../src/store/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// Deliveries a worker never saw (here another client's fetch on the same consumer; in practice a
// CPU-starved fetch that ended on its own timer before reading what the server sent) come back
// only after the ack wait. The worker notices the hole in the consumer's delivery sequence and
// holds its batch back until they are redelivered, so every event is applied in stream order.
const input = simulatedPrefix(1_200, 29);

describeScale(
  'scale-out: missing deliveries keep stream order',
  1,
  (fx) => {
    it('holds a batch back behind deliveries it missed; nothing reordered, nothing lost', async () => {
      const pub = fx.publisher();
      await pub.publishEvents(input.events.slice(0, 600));
      await pub.flush();
      const worker = await fx.startWorker('order-0', { batchSize: 50, leaseMs: 5000 });
      await fx.waitForApplied(600);

      // Another pull on the same consumer takes some deliveries and never acknowledges them.
      const consumer = await fx.consumer(0);
      const taken: JsMsg[] = [];
      const thief = (async () => {
        for await (const m of await consumer.fetch({ max_messages: 20, expires: 5000 })) taken.push(m);
      })();
      await new Promise((r) => setTimeout(r, 300));
      await pub.publishEvents(input.events.slice(600));
      await pub.flush();
      await thief;
      expect(taken.length).toBeGreaterThan(0);

      await fx.waitForApplied(input.events.length, 120_000);
      await worker.stop();
      expect(worker.stats.gaps).toBeGreaterThanOrEqual(1);
      expect(worker.stats.reordered).toBe(0);
      expect(worker.stats.applied).toBe(input.events.length);
      expect(await fx.storedEventTotal()).toBe(input.events.length);
    }, 180_000);
  },
  { ackWaitMs: 2000 },
);

// JetStream redelivers in the order ack waits run out, not in stream order: a message whose first
// delivery was lost and that was delivered again later comes back behind newer ones, in the same
// batch. The worker applies each batch in stream-sequence order.
describeScale(
  'scale-out: redeliveries out of stream order',
  1,
  (fx) => {
    it('applies a batch whose redeliveries arrive behind newer messages in stream order', async () => {
      // One account's events first, so its order is what the redeliveries would scramble.
      const counts = new Map<string, number>();
      for (const e of input.events) counts.set(e.account_id, (counts.get(e.account_id) ?? 0) + 1);
      const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
      const events = [
        ...input.events.filter((e) => e.account_id === busiest),
        ...input.events.filter((e) => e.account_id !== busiest),
      ];
      expect(counts.get(busiest)).toBeGreaterThanOrEqual(60);
      const pub = fx.publisher();
      await pub.publishEvents(events);
      await pub.flush();

      // Stray pulls that never acknowledge: 1-20, then 21-60, then 1-20 again once redelivered.
      // Their ack waits run out 21-60 first, so the server redelivers 21-60 before 1-20.
      const consumer = await fx.consumer(0);
      const take = async (n: number): Promise<JsMsg[]> => {
        const got: JsMsg[] = [];
        for await (const m of await consumer.fetch({ max_messages: n, expires: 1500 })) got.push(m);
        return got;
      };
      const t0 = Date.now();
      const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));
      expect((await take(20)).map((m) => m.seq)).toEqual(range(1, 20));
      await sleepUntil(1000);
      expect((await take(40)).map((m) => m.seq)).toEqual(range(21, 60));
      await sleepUntil(2400);
      const again = await take(20);
      expect(again.map((m) => [m.seq, m.redelivered])).toEqual(range(1, 20).map((s) => [s, true]));
      await sleepUntil(5000);

      const worker = await fx.startWorker('redeliver-0', { batchSize: 50, leaseMs: 5000 });
      await fx.waitForApplied(events.length, 120_000);
      await worker.stop();
      expect(worker.stats).toMatchObject({ applied: events.length, duplicates: 0, reordered: 0 });

      // Every account's state is what an engine fed in publish order holds.
      const reference = new DetectionEngine();
      for (const e of events) reference.addEvent(e);
      // Each stored row (JSON beside its binary kernel sum) restored as the worker and scorer do.
      const restored = new DetectionEngine();
      for await (const page of allAccountStates(fx.db))
        for (const row of page) {
          expect(row.kernel).not.toBeNull();
          restoreStoredAccount(restored, row);
        }
      const stored = new Map<string, unknown>();
      for (const id of restored.accountIds())
        stored.set(id, JSON.parse(JSON.stringify(restored.accountState(id))));
      expect(stored.size).toBe(counts.size);
      expect(stored.get(busiest)).toEqual(JSON.parse(JSON.stringify(reference.accountState(busiest))));
      for (const [id, state] of stored)
        expect(state, id).toEqual(JSON.parse(JSON.stringify(reference.accountState(id))));
    }, 180_000);
  },
  { ackWaitMs: 2000 },
);

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
