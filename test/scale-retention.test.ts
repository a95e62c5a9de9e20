import { DiscardPolicy, RetentionPolicy } from 'nats';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_STREAM_MAX_MESSAGES, ensureStream } from '../src/pipeline/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import {
  addPreRetentionStream,
  describeScale,
  ingestArgs,
  simulatedPrefix,
  TEST_NATS_URL,
  waitFor,
  writeIngestFiles,
} from './scale-harness.js';

// The stream used to keep every message forever (limits retention, no limit): ~1.3 KB an event,
// ~110 GB a day at 1,000 events/s. It now has work-queue retention (a message is deleted once its
// partition's worker acknowledged it, after its commit) and a message limit with discard new: at
// the limit publishers are refused and wait, and nothing unprocessed is ever dropped.
const input = simulatedPrefix(1_500, 61);

describeScale('scale-out: the stream holds only the backlog', 4, (fx) => {
  it('is created with work-queue retention, discard new and the default message limit', async () => {
    const info = await (await fx.nc.jetstreamManager()).streams.info(fx.topology.stream);
    expect(info.config).toMatchObject({
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_msgs: DEFAULT_STREAM_MAX_MESSAGES,
      max_age: 0,
    });
  });

  it('deletes what the workers applied; a re-publication inside the duplicate window is still dropped', async () => {
    await fx.publish(input);
    const worker = await fx.startWorker('ret-0', { scoreEveryMs: 0 });
    await fx.waitForApplied(input.events.length, 120_000);
    const jsm = await fx.nc.jetstreamManager();
    // Acknowledged after the commit, then deleted: the stream is empty once all is applied.
    await waitFor(
      'the stream to empty',
      async () => (await jsm.streams.info(fx.topology.stream)).state.messages,
      (n) => n === 0,
      { timeoutMs: 30_000 },
    );
    const pub = fx.publisher();
    await pub.publishEvents(input.events);
    const counts = await pub.flush();
    expect(counts).toEqual({ published: 0, duplicates: input.events.length });
    await worker.stop();
    expect(await fx.storedEventTotal()).toBe(input.events.length);
  }, 180_000);
});

describeScale('scale-out: a full stream pushes back on ingest', 2, (fx) => {
  beforeAll(ensureBuilt);

  it('ingest waits, then exits 1 with STREAM_FULL; nothing is dropped; with a worker it completes', async () => {
    const files = writeIngestFiles('dg-scale-full-', input);
    const ingest = (...extra: string[]) =>
      runCli([...ingestArgs(fx.topology, files), '--no-progress', ...extra], { timeout: 120_000 });

    // No worker runs: the stream fills at 1,000 messages (accounts + events) and stays there.
    const full = await ingest('--stream-max-messages', '1000', '--full-wait', '2s');
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toContain(`warning: stream ${fx.topology.stream} is full`);
    expect(full.stderr).toMatch(/error\[STREAM_FULL\]: stream \S+ is full .*Start or add workers/);
    expect(full.stderr).not.toMatch(/\n\s+at /);
    const jsm = await fx.nc.jetstreamManager();
    const info = await jsm.streams.info(fx.topology.stream);
    expect(info.config.max_msgs).toBe(1000);
    // Refused, not made room for: the first message is still the first one published.
    expect(info.state).toMatchObject({ messages: 1000, first_seq: 1 });

    // A worker drains the stream while ingest, run again, waits for room and completes.
    const worker = await fx.startWorker('full-0', { scoreEveryMs: 0 });
    const again = await ingest('--full-wait', '60s');
    expect(again.code, again.stderr).toBe(0);
    await fx.waitForApplied(input.events.length, 120_000);
    await worker.stop();
    expect(await fx.storedEventTotal()).toBe(input.events.length);
  }, 300_000);
});

describeScale('scale-out: a stream from before work-queue retention', 2, (fx) => {
  it('is named in a warning (its retention cannot change) and not given a limit', async () => {
    const jsm = await fx.nc.jetstreamManager();
    const old = await addPreRetentionStream(fx);
    try {
      const warnings: string[] = [];
      await ensureStream(fx.nc, old, { maxMessages: 5000, onWarning: (m) => warnings.push(m) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`stream ${old.stream} has limits retention`);
      // A message limit with discard new would stop publishers once processed messages fill it.
      expect((await jsm.streams.info(old.stream)).config.max_msgs).toBe(-1);
    } finally {
      await jsm.streams.delete(old.stream);
    }
  });

  it('refuses a message limit below 1000 as a usage error', async () => {
    const r = await runCli(['worker', '--nats', TEST_NATS_URL, '--stream-max-messages', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stream-max-messages');
  });
});
