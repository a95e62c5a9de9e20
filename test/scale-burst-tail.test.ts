import { expect, it } from 'vitest';
import type { ApiEvent } from '../src/contracts/index.js';
import { scaleProgress } from '../src/store/index.js';
import { describeScale, simulatedPrefix, type UsedScaleFixture } from './scale-harness.js';

// A pull request lasts up to its wait (here 8 s). The end of a burst used to wait out the rest of
// it before being applied: a worker hands a batch out once deliveries go quiet, while the request
// stays open. A worker giving a partition up (graceful stop) must then take what that open request
// still delivers: deliveries to a closed subscription would come back to the next owner only
// after the ack wait (30 s here). Bounds far below those waits, not timing measurements.
const input = simulatedPrefix(1_500, 61);
const WAIT_MS = 8_000;

async function appliedWithin(fx: UsedScaleFixture, n: number, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if ((await scaleProgress(fx.db)).events >= n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

describeScale(
  'scale-out: the end of a burst is applied without waiting out the pull',
  2,
  (fx) => {
    it('applies a burst well before the pull wait ends; a stopping worker takes what its pull still delivers', async () => {
      const pub = fx.publisher();
      const publish = async (events: ApiEvent[]) => {
        await pub.publishEvents(events);
        await pub.flush();
      };
      const first = await fx.startWorker('burst-0', { scoreEveryMs: 0, fetchWaitMs: WAIT_MS });
      for (let i = 0; i < 100 && first.partitions.length < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(first.partitions).toEqual([0, 1]);

      await publish(input.events.slice(0, 500));
      // Main waited out the whole 8 s pull; the bound leaves room for a loaded CI machine.
      expect(await appliedWithin(fx, 500, 20_000)).toBeLessThan(WAIT_MS * 0.75);

      // Both partitions' pull requests are open now. Events published while the worker stops.
      const stopping = first.stop();
      await publish(input.events.slice(500, 1_000));
      await stopping;

      // The next owner takes the rest without an ack wait of orphans in between.
      const second = await fx.startWorker('burst-1', { scoreEveryMs: 0, fetchWaitMs: WAIT_MS });
      await publish(input.events.slice(1_000));
      expect(await appliedWithin(fx, input.events.length, 60_000)).toBeLessThan(15_000);
      await second.stop();
      const workers = [first, second];
      expect(workers.reduce((n, w) => n + w.stats.applied, 0)).toBe(input.events.length);
      expect(workers.reduce((n, w) => n + w.stats.duplicates, 0)).toBe(0);
      // A batch held back for one ack wait (a gap) costs time, not correctness: not asserted here.
      expect(workers.reduce((n, w) => n + w.stats.reordered, 0)).toBe(0);
    }, 180_000);
  },
  { ackWaitMs: 30_000 },
);
