import { expect, it } from 'vitest';
import type { Findings } from '../src/contracts/index.js';
import { scoreScaleDetail, ScoringStates, WorkerMetrics } from '../src/pipeline/index.js';
import { batchFindings, comparable, describeScale, simulatedPrefix } from './scale-harness.js';

// A scoring round keeps the states it read and reads only the account rows written since its
// last round (their version is above the partition version it saw), whoever owns the partition
// now; its findings are exactly a full reload's, and batch analyze's on the same events.
const input = simulatedPrefix(6_000, 11);
const first = input.events.slice(0, 5_000);
const second = input.events.slice(5_000, 5_040);
const third = input.events.slice(5_040, 5_080);

/** Findings without the time they were generated at (two rounds differ only there). */
const sameAs = (f: Findings) => ({ ...f, generated_at: '' });
const accountsOf = (events: { account_id: string }[]) => new Set(events.map((e) => e.account_id)).size;

describeScale('incremental scoring', 4, (fx) => {
  it('a later round reads only the changed rows and scores as a full reload does', async () => {
    const a = await fx.startWorker('inc-a', { leaseMs: 15_000 });
    await fx.publish({ accounts: input.accounts, events: first });
    await fx.waitForApplied(first.length);
    const states = new ScoringStates();

    // The first round reads every stored account (records of accounts without events included).
    const round1 = await scoreScaleDetail(fx.db, { states, force: true });
    const rows = await fx.db
      .selectFrom('scale_account_state')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(states.lastRowsLoaded).toBe(Number(rows.n));
    expect(comparable(round1!.findings)).toEqual(
      comparable(batchFindings({ accounts: input.accounts, events: first })),
    );

    // A few events of a few accounts: only those accounts' rows are read again.
    await fx.publish({ accounts: [], events: second });
    await fx.waitForApplied(first.length + second.length);
    const round2 = await scoreScaleDetail(fx.db, { states });
    expect(round2).not.toBeNull();
    expect(states.lastRowsLoaded).toBe(accountsOf(second));
    expect(states.lastRowsLoaded).toBeLessThan(Number(rows.n) / 10);
    const full2 = await scoreScaleDetail(fx.db, { force: true });
    expect(sameAs(round2!.findings)).toEqual(sameAs(full2!.findings));
    expect(comparable(round2!.findings)).toEqual(
      comparable(batchFindings({ accounts: input.accounts, events: [...first, ...second] })),
    );

    // Nothing changed: no round (the scoring version is the same).
    expect(await scoreScaleDetail(fx.db, { states })).toBeNull();

    // The partitions move to another worker; its commits are read like any other.
    await a.stop();
    const b = await fx.startWorker('inc-b', { leaseMs: 15_000 });
    await fx.publish({ accounts: [], events: third });
    await fx.waitForApplied(first.length + second.length + third.length);
    expect(b.stats.applied).toBe(third.length);
    const round3 = await scoreScaleDetail(fx.db, { states });
    expect(states.lastRowsLoaded).toBe(accountsOf(third));
    const full3 = await scoreScaleDetail(fx.db, { force: true });
    expect(sameAs(round3!.findings)).toEqual(sameAs(full3!.findings));
    expect(comparable(round3!.findings)).toEqual(
      comparable(batchFindings({ accounts: input.accounts, events: [...first, ...second, ...third] })),
    );
    expect(states.rowsLoaded).toBe(Number(rows.n) + accountsOf(second) + accountsOf(third));
  }, 300_000);

  it("a worker's rounds count the rows they read in its metrics", async () => {
    const w = await fx.startWorker('inc-m', { leaseMs: 15_000, scoreEveryMs: 200 });
    await fx.publish({ accounts: [], events: input.events.slice(5_080, 5_090) });
    await fx.waitForApplied(5_090);
    const until = Date.now() + 60_000;
    while (w.scoringMode.rowsLoaded === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    // This worker's first round reads every account; each later one only what changed.
    expect(w.scoringMode.rowsLoaded).toBeGreaterThan(0);
    const text = await new WorkerMetrics(w).render();
    const line = text.split('\n').find((l) => l.startsWith('distillguard_worker_scoring_rows_loaded_total{'));
    expect(Number(line?.split(' ').pop())).toBe(w.scoringMode.rowsLoaded);
    await w.stop();
  }, 120_000);
});
