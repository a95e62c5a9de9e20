import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { scaleProgress } from '../src/store/index.js';
import { describeScale, waitFor } from './scale-harness.js';

// Partitions nobody consumes must not go unnoticed. Here the workers table is polluted with
// heartbeats from the future (a host whose clock runs ahead, or rows written by hand): the one
// real worker believes it shares the partitions with three others and takes only its share.

describeScale('scale-out: partitions left without a live lease', 4, (fx) => {
  it('are reported by a warning naming them', async () => {
    const future = Date.now() + 3600_000;
    await fx.db
      .insertInto('scale_workers')
      .values([1, 2, 3].map((i) => ({ worker_id: `phantom-${i}`, seen_at: future })))
      .execute();
    const lines: { msg?: string; partitions?: number[] }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[0]);
        cb();
      },
    });
    const worker = await fx.startWorker('lonely-0', {
      leaseMs: 400,
      heartbeatMs: 100,
      log: pino({ level: 'warn' }, sink),
    });
    let warning: (typeof lines)[0] | undefined;
    try {
      warning = await waitFor(
        'the warning',
        () => lines.find((l) => l.msg?.includes('no live lease')),
        (l) => l !== undefined,
        { timeoutMs: 30_000, everyMs: 100 },
      );
    } finally {
      await worker.stop();
    }
    expect(worker.partitions).toEqual([]);
    expect(warning?.msg).toBe('partitions have no live lease: nobody consumes them');
    expect(warning?.partitions).toEqual([1, 2, 3]);
    expect((await scaleProgress(fx.db)).partitions.every((p) => p.owner === null)).toBe(true);
  }, 120_000);
});
