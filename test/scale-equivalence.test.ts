import { expect, it } from 'vitest';
import { partitionOf, scoreScale } from '../src/pipeline/index.js';
import { latestFindingsSnapshot, scaleProgress, type CoreDb } from '../src/store/index.js';
import { batchFindings, comparable, describeScale, findingsGap, simulatedPrefix } from './scale-harness.js';

// Streaming through two workers must give the batch findings on the same input: each
// account's events reach one partition in publish order, state is durable per account, and the
// global stage scores the union of all partitions as one engine would.
const input = simulatedPrefix(20_000, 5);

describeScale('scale-out equals batch', 8, (fx) => {
  it('two workers, streamed, give the same findings as batch analyze', async () => {
    const workers = [
      await fx.startWorker('eq-0', { leaseMs: 15_000 }),
      await fx.startWorker('eq-1', { leaseMs: 15_000 }),
    ];
    await fx.waitUntilShared(['eq-0', 'eq-1']);
    await fx.publish(input);
    await fx.waitForApplied(input.events.length);
    const progress = await scaleProgress(fx.db);
    for (const w of workers) await w.stop();

    // Both workers took part, and each partition's events are exactly its accounts' events.
    expect(workers.every((w) => w.stats.applied > 0)).toBe(true);
    expect(workers.reduce((s, w) => s + w.stats.applied, 0)).toBe(input.events.length);
    for (const p of progress.partitions)
      expect(p.events).toBe(input.events.filter((e) => partitionOf(e.account_id, 8) === p.partition).length);

    const streamed = await scoreScale(fx.db, { force: true });
    const batch = batchFindings(input);
    expect(streamed).not.toBeNull();
    expect(batch.accounts.some((a) => a.level !== 'none')).toBe(true);
    // Each partition's events are applied once each, in stream order, so every account's state
    // is the state batch builds (order-sensitive statistics such as gaps and bursts included).
    const stats = workers.map((w) => w.stats);
    const gap = findingsGap(streamed!, batch);
    console.info(`[scale-eq] ${JSON.stringify({ gap, stats })}`);
    expect(stats.reduce((n, s) => n + s.duplicates, 0)).toBe(0);
    expect(stats.reduce((n, s) => n + s.reordered, 0)).toBe(0);
    // Stated tolerance: none. The same level, event count, cluster and score (to the last bit) for
    // every account, and the same clusters; measured over 16 runs, 5 of them with the two cores
    // oversubscribed (load ~6), the largest score difference was 0. (Before batches were applied
    // in stream-sequence order it reached 0.016, with up to 811 duplicates.)
    expect(gap).toEqual({ level: 0, events: 0, missing: 0, maxScore: 0 });
    expect(comparable(streamed!)).toEqual(comparable(batch));
    // The server and dashboard read the snapshot the global stage stored.
    const stored = await latestFindingsSnapshot(fx.db as unknown as CoreDb);
    expect(stored && comparable(stored)).toEqual(comparable(streamed!));
  }, 600_000);
});
