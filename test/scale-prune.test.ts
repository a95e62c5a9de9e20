import type { JsMsg } from 'nats';
import { expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { encodeAccountState, partitionOf } from '../src/pipeline/index.js';
import { ScaleMessage } from '../src/contracts/index.js';
import {
  claimPartitions,
  commitPartitionBatch,
  countSeenEvents,
  ensurePartitionRows,
  pruneSeenEvents,
  releasePartition,
} from '../src/store/index.js';
import { describeScale, simulatedPrefix, waitFor } from './scale-harness.js';

// The seen-ids table is pruned once the partition's consumer acknowledged a message (it is never
// delivered again) and the retention passed; an id whose message may still come back stays, so a
// redelivered event is still applied once.
const input = simulatedPrefix(3_000, 13);

describeScale(
  'scale-out: pruning seen event ids',
  2,
  (fx) => {
    it('prunes acknowledged ids; a batch committed but never acknowledged is redelivered and not counted twice', async () => {
      const t = fx.topology;
      await fx.publish({ accounts: [], events: input.events });

      // A worker takes partition 0, commits a batch, and dies before acknowledging it.
      await ensurePartitionRows(fx.db, t.partitions);
      const ghostHolder = { id: 'ghost', incarnation: 'ghost-1' };
      const [lease] = await claimPartitions(fx.db, ghostHolder, 1, Date.now(), 2000);
      expect(lease?.partition).toBe(0);
      const consumer = await fx.consumer(0);
      const msgs: JsMsg[] = [];
      for await (const m of await consumer.fetch({ max_messages: 400, expires: 3000 })) msgs.push(m);
      expect(msgs.length).toBe(400);
      const ghost = new DetectionEngine();
      const batch = msgs.map((m) => {
        const msg = ScaleMessage.parse(JSON.parse(m.string()));
        if (msg.kind !== 'event') throw new Error('expected events only');
        return { event: msg.event, seq: m.seq };
      });
      await commitPartitionBatch(fx.db, {
        holder: ghostHolder,
        lease: lease!,
        stream: t.stream,
        events: batch.map((b) => ({ id: b.event.id, seq: b.seq })),
        maxSeq: Math.max(...batch.map((b) => b.seq)),
        apply(fresh) {
          const changed = new Set<string>();
          for (const { event } of batch)
            if (fresh.has(event.id)) {
              ghost.addEvent(event);
              changed.add(event.account_id);
            }
          return [...changed].flatMap((id) => encodeAccountState(ghost, id) ?? []);
        },
      });
      await releasePartition(fx.db, ghostHolder, 0);
      // Younger than the retention: kept even when acknowledged.
      expect(await pruneSeenEvents(fx.db, 0, Number.MAX_SAFE_INTEGER, Date.now() - 60_000)).toBe(0);

      // A worker pruning every 100 ms with no retention: only the acknowledgement floor protects ids.
      const worker = await fx.startWorker('pruner', {
        leaseMs: 2000,
        batchSize: 250,
        pruneEveryMs: 100,
        seenRetentionMs: 0,
      });
      await fx.waitForApplied(input.events.length, 120_000);
      // The ghost's 400 events came back after the ack wait and were found in the seen ids.
      expect(worker.stats.duplicates).toBeGreaterThanOrEqual(400);
      expect(worker.stats.applied).toBe(input.events.length - 400);
      expect(await fx.storedEventTotal()).toBe(input.events.length);

      // Every acknowledged id is pruned.
      expect(
        await waitFor(
          'no seen ids',
          () => countSeenEvents(fx.db),
          (n) => n === 0,
          { timeoutMs: 30_000 },
        ),
      ).toBe(0);
      expect(worker.stats.pruned).toBe(input.events.length);

      // A re-publication is still dropped by the stream's duplicate window; nothing is applied again.
      const pub = fx.publisher();
      await pub.publishEvents(input.events.filter((e) => partitionOf(e.account_id, 2) === 0).slice(0, 100));
      expect((await pub.flush()).duplicates).toBe(100);
      await new Promise((r) => setTimeout(r, 1500));
      await worker.stop();
      expect(await fx.storedEventTotal()).toBe(input.events.length);
    }, 300_000);
  },
  { ackWaitMs: 3000 },
);
