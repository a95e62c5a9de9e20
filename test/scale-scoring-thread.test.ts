import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { latestScaleFindings } from '../src/store/index.js';
import {
  batchFindings,
  comparable,
  describeScale,
  exitOnSigterm,
  simulatedPrefix,
  waitFor,
  type UsedScaleFixture,
} from './scale-harness.js';

// A scoring round (all account states loaded, analyze() over them) used to run on the event loop
// that applies batches, so a live stream's events waited out the whole round. The worker now
// scores in a thread: a round held open for minutes (the test hook blocks the scoring thread after
// analyze, as a long analyze over a large state does) must not hold back a single event.
const input = simulatedPrefix(1_600, 43);
const half = 800;
const STALL_MS = 120_000;

/** Whether some session holds this schema's scoring lock (scale-store.ts withScoringLock). */
async function scoringLockHeld(fx: UsedScaleFixture): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks
     where locktype = 'advisory' and granted and objsubid = 2
       and classid = ${0x44475343}::bigint::oid
       and objid = (hashtext(${fx.schema})::bigint & 4294967295)::oid`.execute(fx.db);
  return (r.rows[0]?.n ?? 0) > 0;
}

/** Waits for findings that count all `events` (the first round over all of them). */
const findingsOfAll = (fx: UsedScaleFixture, events: number) =>
  waitFor(
    'findings',
    () => latestScaleFindings(fx.db),
    (f) => f !== null && f.input.events === events,
    { timeoutMs: 120_000, everyMs: 250 },
  );

describeScale('scale-out: a worker applies events while its scoring round runs', 4, (fx) => {
  it('applies every event published during a round, and a stop cuts the round short', async () => {
    await fx.publish({ accounts: input.accounts, events: input.events.slice(0, half) });
    process.env.DISTILLGUARD_TEST_SCORING = `stall=${STALL_MS}`;
    let worker;
    try {
      worker = await fx.spawnWorker('scorer-0', ['--score-every', '1s']);
    } finally {
      delete process.env.DISTILLGUARD_TEST_SCORING;
    }
    await fx.waitForApplied(half, 120_000);
    // The first round has begun: it holds the scoring lock, and stays in it for STALL_MS.
    await waitFor(
      'a scoring round to start',
      () => scoringLockHeld(fx),
      (held) => held,
      {
        timeoutMs: 60_000,
        everyMs: 100,
      },
    );
    await fx.publish({ accounts: [], events: input.events.slice(half) });
    await fx.waitForApplied(input.events.length, 90_000);
    // All applied while that round still runs: it has not written findings nor left the lock.
    expect(await latestScaleFindings(fx.db)).toBeNull();
    expect(await scoringLockHeld(fx)).toBe(true);

    // SIGTERM in the middle of the round: the worker exits without waiting it out, the round
    // rolls back (no findings, the lock free for the next worker).
    // Bounded at 60 s, far below the round's remaining minutes.
    expect(await exitOnSigterm(worker)).toBe(0);
    expect(await latestScaleFindings(fx.db)).toBeNull();
    await waitFor(
      'the scoring lock to be free',
      () => scoringLockHeld(fx),
      (held) => !held,
      {
        timeoutMs: 30_000,
        everyMs: 100,
      },
    );

    // The next worker (no stall) scores in its thread: findings of every event, as batch.
    await fx.spawnWorker('scorer-1', ['--score-every', '1s']);
    const findings = await findingsOfAll(fx, input.events.length);
    expect(comparable(findings!)).toEqual(comparable(batchFindings(input)));
  }, 600_000);
});

// A scoring thread that dies must not stop scoring silently: each death is logged (and counted in
// the metrics), the thread restarted, and after three deaths in a row rounds run in process.
const small = simulatedPrefix(400, 44);

describeScale('scale-out: a worker whose scoring thread dies keeps scoring', 4, (fx) => {
  it('logs each death, then scores in process: findings of every event', async () => {
    await fx.publish(small);
    process.env.DISTILLGUARD_TEST_SCORING = 'thread-exit';
    let worker;
    try {
      worker = await fx.spawnWorker('dying-0', ['--score-every', '1s']);
    } finally {
      delete process.env.DISTILLGUARD_TEST_SCORING;
    }
    let log = '';
    worker.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const findings = await findingsOfAll(fx, small.events.length);
    expect(comparable(findings!)).toEqual(comparable(batchFindings(small)));
    expect(log.match(/scoring thread died; restarting it/g)?.length).toBe(2);
    expect(log).toContain('scoring thread died again; scoring in process from now on');
    expect(log).toContain('scoring thread exited with code 70');
  }, 300_000);
});
