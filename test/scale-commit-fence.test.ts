import { expect, it } from 'vitest';
import {
  claimPartitions,
  commitPartitionBatch,
  countSeenEvents,
  ensurePartitionRows,
  LeaseLostError,
  scaleProgress,
  type LeaseHolder,
  type PartitionLease,
} from '../src/store/index.js';
import { describeScale } from './scale-harness.js';

// A batch commit checks the lease (holder incarnation and fence) and records the batch's new
// event ids in one statement: a commit under a lease this process no longer holds writes nothing,
// and ids seen before come back as duplicates, never counted twice.
describeScale('scale-out: a batch commit is fenced by its lease', 2, (fx) => {
  it('writes nothing under a stale incarnation or fence; counts each event id once', async () => {
    await ensurePartitionRows(fx.db, fx.topology.partitions);
    const holder: LeaseHolder = { id: 'w', incarnation: 'w-1' };
    const [lease] = await claimPartitions(fx.db, holder, 1, Date.now(), 60_000);
    expect(lease).toBeDefined();
    const states: string[][] = [];
    const commit = (h: LeaseHolder, l: PartitionLease, ids: string[], firstSeq: number) =>
      commitPartitionBatch(fx.db, {
        holder: h,
        lease: l,
        stream: fx.topology.stream,
        events: ids.map((id, i) => ({ id, seq: firstSeq + i })),
        maxSeq: firstSeq + ids.length - 1,
        leaseMs: 60_000,
        apply(fresh) {
          states.push([...fresh].sort());
          return [];
        },
      });

    // Another incarnation of the same id, and the right incarnation with an older fence: refused.
    for (const [h, l] of [
      [{ id: 'w', incarnation: 'w-0' }, lease!],
      [holder, { ...lease!, fence: lease!.fence - 1 }],
    ] as const)
      await expect(commit(h, l, ['a', 'b'], 1)).rejects.toBeInstanceOf(LeaseLostError);
    expect(states).toEqual([]);
    expect(await countSeenEvents(fx.db, lease!.partition)).toBe(0);
    let p = (await scaleProgress(fx.db)).partitions.find((x) => x.partition === lease!.partition);
    expect(p?.events).toBe(0);

    // Held: applied once; a duplicate inside the batch and a redelivery are not counted again.
    expect(await commit(holder, lease!, ['a', 'b', 'a'], 1)).toMatchObject({ applied: 2, duplicates: 1 });
    expect(await commit(holder, lease!, ['b', 'c'], 4)).toMatchObject({ applied: 1, duplicates: 1 });
    expect(await commit(holder, lease!, [], 6)).toMatchObject({ applied: 0, duplicates: 0 });
    expect(states).toEqual([['a', 'b'], ['c'], []]);
    expect(await countSeenEvents(fx.db, lease!.partition)).toBe(3);
    p = (await scaleProgress(fx.db)).partitions.find((x) => x.partition === lease!.partition);
    expect(p?.events).toBe(3);
  });
});
