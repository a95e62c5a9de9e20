import { expect, it } from 'vitest';
import { scaleProgress } from '../src/store/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// The normal live case: workers run before ingest, which publishes at a steady rate. Workers used
// to hold batches back a full ack wait (30 s), again and again, because a pull that ended on the
// client's timer left deliveries the server sent after it unread: they counted as outstanding and
// came back only after the ack wait. Workers must keep up with a steady publisher: the tail from
// the last publish to the last applied event is a behaviour bound far below one ack wait, not a
// timing measurement (bench/scale.js measures it).
const input = simulatedPrefix(4_000, 53);
const RATE = 400; // events per second
const TICK_MS = 50;

describeScale(
  'scale-out: workers started before a steady publisher keep up',
  4,
  (fx) => {
    it('applies every event within a few seconds of the last publish; no batch held back', async () => {
      const workers = [
        await fx.startWorker('live-0', { scoreEveryMs: 0 }),
        await fx.startWorker('live-1', { scoreEveryMs: 0 }),
      ];
      // Both hold their share before anything is published.
      for (const w of workers)
        for (let i = 0; i < 100 && w.partitions.length < 2; i++) await new Promise((r) => setTimeout(r, 100));

      const pub = fx.publisher();
      await pub.publishAccounts(input.accounts);
      await pub.flush();
      const perTick = Math.round((RATE * TICK_MS) / 1000);
      const start = Date.now();
      for (let i = 0; i < input.events.length; i += perTick) {
        await pub.publishEvents(input.events.slice(i, i + perTick));
        await pub.flush();
        const due = start + ((i + perTick) / RATE) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const lastPublish = Date.now();

      let applied = 0;
      while (Date.now() - lastPublish < 60_000) {
        applied = (await scaleProgress(fx.db)).events;
        if (applied >= input.events.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const tailMs = Date.now() - lastPublish;
      expect(applied).toBe(input.events.length);
      // One ack wait is 30 s here (the default): a single held-back batch breaks this bound.
      expect(tailMs).toBeLessThan(5_000);
      expect(workers.reduce((n, w) => n + w.stats.gaps, 0)).toBe(0);
      expect(workers.reduce((n, w) => n + w.stats.reordered, 0)).toBe(0);
      for (const w of workers) await w.stop();
      expect(workers.reduce((n, w) => n + w.stats.applied, 0)).toBe(input.events.length);
    }, 180_000);
  },
  { ackWaitMs: 30_000 },
);
