import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScalePublisher } from '../src/pipeline/index.js';
import { scaleProgress } from '../src/store/index.js';
import {
  ensureScaleBuilt,
  scaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  spawnWorker,
  storedEventTotal,
  waitForApplied,
  type ScaleFixture,
} from './scale-harness.js';

// An operator runs workers with a fixed --id (a pod or host name). One is SIGKILLed while it holds
// partitions and is restarted with the same id: its predecessor's leases must expire and be taken
// over, not renewed forever by a process that never works on them.
const skip = await scaleSkipReason();
const input = simulatedPrefix(6_000, 11);

describe.skipIf(skip !== null)('scale-out: a worker restarted with the same --id', () => {
  let fx: ScaleFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    ensureScaleBuilt();
    fx = await scaleFixture(4);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await fx?.dispose();
  });

  it('takes over the partitions its dead predecessor held; every event is applied once', async () => {
    const first = await spawnWorker(fx, 'pod-0');
    children.push(first);
    const pub = new ScalePublisher(fx.nc, fx.topology);
    await pub.publishAccounts(input.accounts);
    const half = Math.floor(input.events.length / 2);
    await pub.publishEvents(input.events.slice(0, half));
    await pub.flush();
    const until = Date.now() + 120_000;
    for (;;) {
      const p = await scaleProgress(fx.db);
      if (p.partitions.some((x) => x.owner === 'pod-0' && x.events > 0)) break;
      if (Date.now() > until) throw new Error('the first worker never applied anything');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await spawnWorker(fx, 'pod-0');
    children.push(second);
    await pub.publishEvents(input.events.slice(half));
    await pub.flush();
    // Lease 2 s, ack wait 4 s: the dead leases are claimable after 4 s and the orphaned batch
    // returns 4 s later; 90 s is ample and bounds the test.
    await waitForApplied(fx.db, input.events.length, 90_000);
    const progress = await scaleProgress(fx.db);
    expect(progress.events).toBe(input.events.length);
    expect(progress.partitions.every((p) => p.owner === 'pod-0')).toBe(true);
    expect(await storedEventTotal(fx.db)).toBe(input.events.length);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }, 300_000);
});
