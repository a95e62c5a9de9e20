import { expect, it } from 'vitest';
import { scaleProgress } from '../src/store/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// An operator runs workers with a fixed --id (a pod or host name). One is SIGKILLed while it holds
// partitions and is restarted with the same id: its predecessor's leases must expire and be taken
// over, not renewed forever by a process that never works on them.
const input = simulatedPrefix(6_000, 11);

describeScale('scale-out: a worker restarted with the same --id', 4, (fx) => {
  it('takes over the partitions its dead predecessor held; every event is applied once', async () => {
    const first = await fx.spawnWorker('pod-0');
    const half = Math.floor(input.events.length / 2);
    await fx.publish({ accounts: input.accounts, events: input.events.slice(0, half) });
    await fx.waitUntilWorking('pod-0');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await fx.spawnWorker('pod-0');
    await fx.publish({ accounts: [], events: input.events.slice(half) });
    // Lease 2 s, ack wait 4 s: the dead leases are claimable after 4 s and the orphaned batch
    // returns 4 s later; 90 s is ample and bounds the test.
    await fx.waitForApplied(input.events.length, 90_000);
    const progress = await scaleProgress(fx.db);
    expect(progress.events).toBe(input.events.length);
    expect(progress.partitions.every((p) => p.owner === 'pod-0')).toBe(true);
    expect(await fx.storedEventTotal()).toBe(input.events.length);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }, 300_000);
});
