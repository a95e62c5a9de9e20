import { expect, it } from 'vitest';
import { partitionOf, scoreScale } from '../src/pipeline/index.js';
import { scaleProgress } from '../src/store/index.js';
import { batchFindings, describeScale, findingsGap, simulatedPrefix } from './scale-harness.js';

// A worker process is SIGKILLed while it holds partitions and un-acknowledged batches. Its
// leases expire, the other worker takes its partitions and the redelivered messages; every
// event counts exactly once.
const input = simulatedPrefix(12_000, 7);

describeScale('scale-out: a worker dies mid-stream', 8, (fx) => {
  it('another worker continues; nothing lost, nothing counted twice', async () => {
    const a = await fx.spawnWorker('victim');
    const b = await fx.spawnWorker('survivor');
    const half = Math.floor(input.events.length / 2);
    await fx.publish({ accounts: input.accounts, events: input.events.slice(0, half) });
    // Kill the victim while it is working: some of its partitions have applied events.
    await fx.waitUntilWorking('victim');
    a.kill('SIGKILL');
    await fx.publish({ accounts: [], events: input.events.slice(half) });

    await fx.waitForApplied(input.events.length);
    const progress = await scaleProgress(fx.db);
    expect(progress.events).toBe(input.events.length);
    expect(progress.partitions.every((p) => p.owner === 'survivor')).toBe(true);
    for (const p of progress.partitions)
      expect(p.events).toBe(input.events.filter((e) => partitionOf(e.account_id, 8) === p.partition).length);
    // The durable per-account state counts every event exactly once.
    expect(await fx.storedEventTotal()).toBe(input.events.length);

    b.kill('SIGTERM');
    await new Promise((r) => b.once('exit', r));
    // Events the dead worker had fetched but not acknowledged come back after the ack wait,
    // possibly after newer events of the same accounts: order-sensitive statistics (gaps,
    // bursts) may move a little, counts do not. Stated tolerance: same level for every
    // account, same event counts, scores within 0.05.
    const streamed = await scoreScale(fx.db, { force: true });
    const gap = findingsGap(streamed!, batchFindings(input));
    expect(gap).toMatchObject({ level: 0, events: 0, missing: 0 });
    expect(gap.maxScore).toBeLessThanOrEqual(0.05);
  }, 600_000);
});
