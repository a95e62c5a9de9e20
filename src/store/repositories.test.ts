import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, Findings } from '../contracts/index.js';
import { coreMigrations } from './migrations/index.js';
import { runMigrations } from './migrate.js';
import { openTestDatabase, storeTestBackends, type TestDatabase } from '../../test/store-harness.js';
import type { CoreDatabase } from './core-tables.js';
import {
  countEvents,
  eventTimeRange,
  hourlyEventCounts,
  insertEvents,
  recentEventsOf,
  streamEvents,
} from './event-store.js';
import { loadDecisionRows, saveDecisionChanges } from './decision-store.js';
import {
  deadLetter,
  dueDeliveries,
  insertDeliveries,
  insertWebhook,
  listDeadLetters,
} from './webhook-store.js';
import { latestFindingsSnapshot, saveFindingsSnapshot } from './findings-store.js';
import { allAccountRecords, upsertAccounts } from './account-store.js';
import { findingsOf } from '../../test/findings-fixture.js';

const backends = await storeTestBackends();

const ev = (id: string, account: string, ts: string): ApiEvent => ({
  id,
  ts,
  account_id: account,
  model: 'm',
  request: { messages: [{ role: 'user', content: `prompt ${id}` }] },
});

describe.each(backends)('store repositories on %s', (dialect) => {
  let t: TestDatabase<CoreDatabase>;
  beforeAll(async () => {
    t = await openTestDatabase<CoreDatabase>(dialect);
    await runMigrations(t.db, coreMigrations);
  });
  afterAll(async () => t.dispose());

  it('stores events once, streams them in time order, and counts per hour', async () => {
    // 1000 events cross the insert chunk size; 'b' events are at 10:xx, 'a' events at 09:xx.
    const batch = Array.from({ length: 1000 }, (_, i) =>
      ev(
        `e${i}`,
        i % 2 ? 'a' : 'b',
        `2026-03-01T${i % 2 ? '09' : '10'}:${String(i % 60).padStart(2, '0')}:00Z`,
      ),
    );
    expect(await insertEvents(t.db, batch)).toHaveLength(1000);
    const again = await insertEvents(t.db, [
      ...batch.slice(0, 10),
      ev('new1', 'a', '2026-03-01T08:00:00+01:00'),
    ]);
    expect(again).toEqual(['new1']);
    expect(await countEvents(t.db)).toBe(1001);

    const seen: string[] = [];
    let prev = -Infinity;
    for await (const e of streamEvents(t.db, 97)) {
      const ms = Date.parse(e.ts);
      expect(ms).toBeGreaterThanOrEqual(prev);
      prev = ms;
      seen.push(e.id);
    }
    expect(new Set(seen).size).toBe(1001);
    expect(seen[0]).toBe('new1'); // 07:00Z once the offset is applied

    const range = await eventTimeRange(t.db);
    expect(range.from).toBe('2026-03-01T08:00:00+01:00');
    const hours = await hourlyEventCounts(t.db);
    expect(hours.get(Date.parse('2026-03-01T09:00:00Z'))).toBe(500);
    expect(hours.get(Date.parse('2026-03-01T10:00:00Z'))).toBe(500);
    expect(hours.get(Date.parse('2026-03-01T07:00:00Z'))).toBe(1);
    const onlyA = await hourlyEventCounts(t.db, ['a']);
    expect(onlyA.get(Date.parse('2026-03-01T10:00:00Z'))).toBeUndefined();
    // Even minutes only for 'b', each repeated; the newest are the 10:58 ones.
    const recent = await recentEventsOf(t.db, 'b', 3);
    expect(recent.map((e) => e.ts)).toEqual(Array(3).fill('2026-03-01T10:58:00Z'));
    expect(recent.every((e) => e.account_id === 'b')).toBe(true);
  });

  it('lets other work run while it stores a large batch, and stores it whole', async () => {
    // An enforcement point's decision lookup must not wait for a whole batch's insert: work
    // queued on the event loop before a 3,000-event insert runs before the insert settles.
    const batch = Array.from({ length: 3000 }, (_, i) =>
      ev(`big${i}`, `acct${i % 7}`, '2026-03-02T00:00:00Z'),
    );
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    const stored = await insertEvents(t.db, [...batch, batch[5]!]);
    expect(ranMeanwhile).toBe(true);
    expect(new Set(stored)).toEqual(new Set(batch.map((e) => e.id)));
    expect(await insertEvents(t.db, batch.slice(0, 500))).toEqual([]);
    const rows = await t.db
      .selectFrom('events')
      .select(['id', 'body', 'ts_ms'])
      .where('id', '=', 'big42')
      .execute();
    expect(rows).toEqual([
      { id: 'big42', body: JSON.stringify(batch[42]), ts_ms: Date.parse('2026-03-02T00:00:00Z') },
    ]);
  });

  it('upserts accounts and decisions, and deletes decisions', async () => {
    await upsertAccounts(t.db, [{ account_id: 'a', tier: 'free' }]);
    await upsertAccounts(t.db, [{ account_id: 'a', tier: 'pro' }, { account_id: 'b' }]);
    expect(await allAccountRecords(t.db)).toEqual([{ account_id: 'a', tier: 'pro' }, { account_id: 'b' }]);
    const d = {
      account_id: 'a',
      action: 'block',
      reason: 'r',
      source: 'manual',
      scope: 'account',
      cluster_id: null,
      expires_at: null,
      updated_at: 1,
      updated_by: 'k',
      watch: 0,
    };
    await saveDecisionChanges(t.db, [d, { ...d, account_id: 'b' }], []);
    await saveDecisionChanges(t.db, [{ ...d, action: 'throttle', updated_at: 2 }], ['b']);
    expect(await loadDecisionRows(t.db)).toEqual([{ ...d, action: 'throttle', updated_at: 2 }]);
  });

  it('moves a failing delivery to the dead-letter table', async () => {
    await insertWebhook(t.db, {
      id: 'w1',
      url: 'http://x',
      secret: 's',
      events: '[]',
      active: 1,
      created_at: 1,
    });
    const delivery = {
      id: 'd1',
      webhook_id: 'w1',
      event_type: 'decision.changed',
      payload: '{}',
      status: 'pending',
      attempts: 0,
      next_attempt_at: 5,
      last_error: null,
      created_at: 1,
      updated_at: 1,
    };
    await insertDeliveries(t.db, [delivery]);
    expect(await dueDeliveries(t.db, 4, 10)).toHaveLength(0);
    expect(await dueDeliveries(t.db, 5, 10)).toHaveLength(1);
    await deadLetter(t.db, { ...delivery, attempts: 6 }, 'HTTP 500', 9);
    expect(await dueDeliveries(t.db, 100, 10)).toHaveLength(0);
    expect(await listDeadLetters(t.db)).toMatchObject([
      { delivery_id: 'd1', attempts: 6, last_error: 'HTTP 500' },
    ]);
  });

  it('keeps only the newest findings snapshots', async () => {
    const f = (n: number): Findings =>
      findingsOf({ accounts: [], clusters: [] }, { events: n, accounts: 0 }, `g${n}`);
    for (let i = 0; i < 5; i++) await saveFindingsSnapshot(t.db, f(i), { keep: 2 });
    expect((await latestFindingsSnapshot(t.db))?.generated_at).toBe('g4');
    const n = await t.db.selectFrom('findings_snapshots').select('id').execute();
    expect(n).toHaveLength(2);
  });
});
