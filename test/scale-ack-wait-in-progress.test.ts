import type { JsMsg } from 'nats';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { ScaleWorker } from '../src/pipeline/index.js';
import {
  describeScale,
  simulatedPrefix,
  TEST_POSTGRES_URL,
  waitFor,
  type UsedScaleFixture,
} from './scale-harness.js';

// A batch's commit can take longer than the consumer's ack wait (a lock, a slow disk, a loaded
// machine). Its messages, and the ones its still-open pull request delivered meanwhile into the
// buffer, then run out their ack wait and the server sends them again: copies, dropped by the
// batch check but pulled, decoded and counted twice. The worker keeps what it holds in progress
// instead, but only while it holds the partition's lease: a stuck worker must not keep a batch
// from the next owner for ever. Here a lock on the account states holds the commit.
const ACK_WAIT_MS = 2000;
const traffic = simulatedPrefix(40, 71);
const input = {
  events: traffic.events,
  accounts: traffic.accounts.filter((a) => traffic.events.some((e) => e.account_id === a.account_id)),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A transaction holding the account states' table: commits wait on it until `release`. */
async function lockAccountStates(schema: string): Promise<{ release(): Promise<void> }> {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  await c.query('begin');
  await c.query(`lock table ${schema}.scale_account_state in exclusive mode`);
  return {
    async release() {
      await c.query('rollback');
      await c.end();
    },
  };
}

/** Commits waiting on that lock. */
async function waitingOnLock(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
       where relation = '${schema}.scale_account_state'::regclass and not granted`,
    );
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}

/** A worker on the fixture's only partition, consuming, with its account records applied. */
async function consumingWorker(fx: UsedScaleFixture, id: string, leaseMs: number): Promise<ScaleWorker> {
  // A batch is handed out 50 ms after deliveries go quiet, its pull request still open.
  const worker = await fx.startWorker(id, { scoreEveryMs: 0, leaseMs, fetchIdleMs: 50 });
  const pub = fx.publisher();
  await pub.publishAccounts(input.accounts);
  await pub.flush();
  await waitFor(
    'the account records committed',
    () => worker.stats.commits,
    (n) => n > 0,
    { everyMs: 50 },
  );
  expect(worker.stats.applied + worker.stats.duplicates).toBe(0);
  return worker;
}

describeScale(
  'scale-out: a commit slower than the ack wait',
  1,
  (fx) => {
    it('keeps the batch and what its pull buffered meanwhile in progress: nothing is redelivered', async () => {
      const worker = await consumingWorker(fx, 'slow-commit', 60_000);
      const consumer = await fx.consumer(0);
      const pub = fx.publisher();
      let published = 0;
      const publish = async (n: number) => {
        await pub.publishEvents(input.events.slice(published, published + n));
        await pub.flush();
        published += n;
      };
      // A round counts when the batch's pull request is still open while its commit waits, so
      // the next events are delivered into the worker's buffer; otherwise (the request had just
      // expired) they wait in the stream, and the round is tried again.
      let buffered = false;
      for (let round = 0; round < 5 && !buffered; round++) {
        const lock = await lockAccountStates(fx.schema);
        try {
          await publish(1);
          await waitFor(
            'the commit to wait on the lock',
            () => waitingOnLock(fx.schema),
            (n) => n > 0,
            {
              timeoutMs: 30_000,
              everyMs: 10,
            },
          );
          if ((await consumer.info()).num_waiting > 0) {
            await publish(5);
            buffered = (await consumer.info()).num_pending === 0;
          }
          // The commit waits well past the ack wait of everything the worker holds.
          if (buffered) await sleep(ACK_WAIT_MS * 2);
        } finally {
          await lock.release();
        }
        await fx.waitForApplied(published, 60_000);
      }
      expect(buffered).toBe(true);
      expect({
        copies: worker.stats.copies,
        duplicates: worker.stats.duplicates,
        gaps: worker.stats.gaps,
        applied: worker.stats.applied,
      }).toEqual({ copies: 0, duplicates: 0, gaps: 0, applied: published });
      // It was kept alive by marks, not by luck: the held messages were marked in progress.
      expect(worker.stats.extended).toBeGreaterThan(0);
      await worker.stop();
    }, 180_000);
  },
  { ackWaitMs: ACK_WAIT_MS },
);

describeScale(
  'scale-out: a stuck commit is not kept in progress for ever',
  1,
  (fx) => {
    it('stops marking a stuck batch once its lease lapses: its messages come back to another pull', async () => {
      const worker = await consumingWorker(fx, 'stuck-commit', 3000);
      const lock = await lockAccountStates(fx.schema);
      const stray = fx.puller(0);
      try {
        const pub = fx.publisher();
        await pub.publishEvents(input.events.slice(0, 5));
        await pub.flush();
        // The commit waits on the lock, and the heartbeat on the partition row the commit
        // locked: the lease is not renewed. Once it lapsed the worker stops marking the batch, so
        // its ack wait runs out and a new owner's pull would get it. A bound, not a timing.
        const back: JsMsg[] = [];
        const until = Date.now() + 60_000;
        while (back.length < 5 && Date.now() < until)
          back.push(...(await stray.fetch(5 - back.length, 500, 50)));
        expect(back.map((m) => m.redelivered)).toEqual([true, true, true, true, true]);
        expect(worker.stats.extended).toBeGreaterThan(0);
      } finally {
        stray.close();
        await lock.release();
      }
      await worker.stop();
    }, 120_000);
  },
  { ackWaitMs: ACK_WAIT_MS },
);
