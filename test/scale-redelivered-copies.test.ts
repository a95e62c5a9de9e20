import type { JsMsg } from 'nats';
import { expect, it } from 'vitest';
import { checkBatch, type PartitionPuller } from '../src/pipeline/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// A message whose ack wait runs out while its batch is applied is delivered again, to whatever
// pull request of the partition is open. When the copy arrives after the worker read the
// consumer's state for that batch, it joins the next batch, and by then the original is
// acknowledged. Counted, the copy made the next batch look one message off the consumer's
// unacknowledged count, and the batch (with the fresh messages in it) was held back a whole ack
// wait for nothing: the 0-2 held-back batches per equivalence run under load.
const ACK_WAIT_MS = 1000;
const input = simulatedPrefix(4, 31);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fetches until `n` messages are in hand (each pull waits up to 500 ms). */
async function take(puller: PartitionPuller, n: number): Promise<JsMsg[]> {
  const got: JsMsg[] = [];
  for (let i = 0; i < 20 && got.length < n; i++) got.push(...(await puller.fetch(n - got.length, 500, 50)));
  return got;
}

describeScale(
  'scale-out: redelivered copies of acknowledged messages',
  1,
  (fx) => {
    it('drops a copy whose original was acknowledged, and still holds back for real outstanding ones', async () => {
      const pub = fx.publisher();
      const consumer = await fx.consumer(0);
      const ackState = async () => {
        const info = await consumer.info();
        return { ackPending: info.num_ack_pending, ackFloorSeq: info.ack_floor.stream_seq };
      };
      const puller = fx.puller(0);
      try {
        await pub.publishEvents(input.events.slice(0, 1));
        await pub.flush();
        // The first delivery, in a batch being applied; its ack wait runs out meanwhile.
        const [original] = await take(puller, 1);
        expect(original!.redelivered).toBe(false);
        await sleep(ACK_WAIT_MS + 500);
        // The next pull brings the copy, and a fresh message published meanwhile.
        await pub.publishEvents(input.events.slice(1, 2));
        await pub.flush();
        const next = await take(puller, 2);
        expect(next.map((m) => [m.seq, m.redelivered])).toEqual([
          [original!.seq, true],
          [original!.seq + 1, false],
        ]);
        // The first batch commits and is acknowledged; then the next batch is checked.
        await original!.ackAck();
        const batch = [...next];
        const check = checkBatch(batch, await ackState());
        expect(check).toEqual({ copies: 1, distinct: 1, outstanding: 0 });
        expect(batch.map((m) => m.seq)).toEqual([original!.seq + 1]);
        await next[1]!.ackAck();

        // Order is still kept: a message delivered to another pull and not acknowledged holds
        // the batch after it back (and copies of acknowledged messages do not mask it).
        const stray = fx.puller(0);
        try {
          await pub.publishEvents(input.events.slice(2, 3));
          await pub.flush();
          expect(await take(stray, 1)).toHaveLength(1);
        } finally {
          stray.close();
        }
        await pub.publishEvents(input.events.slice(3, 4));
        await pub.flush();
        const after = await take(puller, 1);
        const held = checkBatch([original!, ...after], await ackState());
        expect(held).toEqual({ copies: 1, distinct: 1, outstanding: 1 });
      } finally {
        puller.close();
      }
    }, 60_000);
  },
  { ackWaitMs: ACK_WAIT_MS },
);
