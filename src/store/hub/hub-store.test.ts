import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, type ExpressionBuilder, type Kysely } from 'kysely';
import {
  openTestDatabase,
  storeTestBackends,
  withTestDatabase,
  type TestDatabase,
} from '../../../test/store-harness.js';
import { openDatabase } from '../database.js';
import { runMigrations } from '../migrate.js';
import { hubMigrations } from './hub-migrations.js';
import { appendHubAudit, verifyHubAudit } from './audit-chain.js';
import {
  hubObjectPageSql,
  insertHubObjects,
  queryHubObjects,
  type HubObjectPageRow,
  type ObjectQuery,
  visibleTo,
} from './object-store.js';
import type { HubDatabase, HubObjectsTable } from './hub-tables.js';

const backends = await storeTestBackends();

/** The i-th of a run of indicator rows in collection c1, one version each. */
const indicatorRow = (i: number, body = '{}') => ({
  collection_id: 'c1',
  object_id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  object_type: 'indicator',
  version: '2026-11-20T00:00:00.000Z',
  spec_version: '2.1',
  publisher: 'org-a',
  group_name: 'g',
  tlp: null,
  body,
});

describe.each(backends)('hub store on %s', (dialect) => {
  let t: TestDatabase<HubDatabase>;
  let db: Kysely<HubDatabase>;
  beforeAll(async () => {
    t = await openTestDatabase<HubDatabase>(dialect);
    db = t.db;
    await runMigrations(db, hubMigrations);
  });
  afterAll(async () => t.dispose());

  it('the audit chain verifies, and any edit or deletion breaks it', async () => {
    for (let i = 0; i < 5; i++)
      await appendHubAudit(db, { actor: 'org-a', action: 'publish', detail: { n: i } });
    expect(await verifyHubAudit(db)).toEqual({ ok: true, entries: 5 });
    await db.updateTable('hub_audit').set({ detail: '{"n":99}' }).where('seq', '=', 3).execute();
    const broken = await verifyHubAudit(db);
    expect(broken.ok).toBe(false);
    expect(broken.brokenAt).toBe(3);
  });

  it('concurrent appends all land, in call order, in a chain that verifies', () =>
    withTestDatabase<HubDatabase>(dialect, async (fresh) => {
      await runMigrations(fresh.db, hubMigrations);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          appendHubAudit(fresh.db, { actor: `org-${i % 3}`, action: 'read', detail: { i } }),
        ),
      );
      const rows = await fresh.db.selectFrom('hub_audit').select(['detail']).orderBy('seq').execute();
      expect(rows.map((r) => (JSON.parse(r.detail) as { i: number }).i)).toEqual(
        Array.from({ length: 40 }, (_, i) => i),
      );
      expect(await verifyHubAudit(fresh.db)).toEqual({ ok: true, entries: 40 });
    }));

  it('one entry the append refuses fails only its own caller, not the others sharing its batch', () =>
    withTestDatabase<HubDatabase>(dialect, async (fresh) => {
      await runMigrations(fresh.db, hubMigrations);
      // A detail that cannot be serialised stands for any entry the append refuses.
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          appendHubAudit(fresh.db, {
            actor: 'org-a',
            action: 'read',
            detail: i === 4 ? { i, bad: 1n } : { i },
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
      );
      const rows = await fresh.db.selectFrom('hub_audit').select(['detail']).orderBy('seq').execute();
      expect(rows.map((r) => (JSON.parse(r.detail) as { i: number }).i)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
      expect(await verifyHubAudit(fresh.db)).toEqual({ ok: true, entries: 9 });
    }));

  // PostgreSQL only: hub processes share it, while a SQLite file has one writing hub (two
  // connections in one process would wait on each other's write lock on one event loop).
  it.skipIf(dialect === 'sqlite')(
    'two instances appending at once (two hubs on one PostgreSQL) keep one chain that verifies',
    () =>
      withTestDatabase<HubDatabase>(dialect, async (fresh) => {
        await runMigrations(fresh.db, hubMigrations);
        const other = openDatabase<HubDatabase>({
          url: fresh.url,
          ...(fresh.schema ? { schema: fresh.schema } : {}),
        });
        try {
          await Promise.all(
            Array.from({ length: 60 }, (_, i) =>
              appendHubAudit(i % 2 ? other : fresh.db, {
                actor: `org-${i % 2}`,
                action: 'read',
                detail: { i },
              }),
            ),
          );
        } finally {
          await other.destroy();
        }
        const rows = await fresh.db.selectFrom('hub_audit').select(['detail']).orderBy('seq').execute();
        const seen = rows.map((r) => (JSON.parse(r.detail) as { i: number }).i);
        expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
        // Each instance's own entries stay in its call order.
        for (const parity of [0, 1]) {
          const mine = seen.filter((i) => i % 2 === parity);
          expect(mine).toEqual([...mine].sort((a, b) => a - b));
        }
        expect(await verifyHubAudit(fresh.db)).toEqual({ ok: true, entries: 60 });
      }),
  );

  it('never reuses the seq of an entry deleted at the tail, so the gap stays visible', () =>
    withTestDatabase<HubDatabase>(dialect, async (fresh) => {
      await runMigrations(fresh.db, hubMigrations);
      for (let i = 0; i < 3; i++)
        await appendHubAudit(fresh.db, { actor: 'org-a', action: 'read', detail: { i } });
      await fresh.db.deleteFrom('hub_audit').where('seq', '=', 3).execute();
      await appendHubAudit(fresh.db, { actor: 'org-a', action: 'read', detail: { i: 3 } });
      const seqs = await fresh.db.selectFrom('hub_audit').select('seq').orderBy('seq').execute();
      expect(seqs.map((r) => Number(r.seq))).toEqual([1, 2, 4]);
    }));

  it.skipIf(dialect === 'sqlite')(
    'after a large publish a page reads its 101 rows in seq order instead of sorting the collection',
    () =>
      withTestDatabase<HubDatabase>(dialect, async (fresh) => {
        await runMigrations(fresh.db, hubMigrations);
        const body = JSON.stringify({ type: 'indicator', pattern: 'x'.repeat(400) });
        await insertHubObjects(
          fresh.db,
          Array.from({ length: 3000 }, (_, i) => indicatorRow(i, body)),
        );
        const query = {
          collectionId: 'c1',
          readerGroups: ['g'],
          restrictedTlps: ['red', 'amber+strict'],
          versions: { mode: 'last' as const },
          afterSeq: 1000,
          limit: 100,
        };
        expect((await queryHubObjects(fresh.db, query)).rows).toHaveLength(100);
        // The SQL the hub runs for that page, explained.
        const q = hubObjectPageSql(query, 'postgres');
        const plan = await fresh.db.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain (analyze, format text) ${q.sql}`, q.parameters),
        );
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        // Sorting would read every row after the cursor; an ordered index scan stops at the page.
        expect(text).not.toMatch(/\bSort\b/);
        expect(text).toMatch(/Limit .*rows=101 loops=1/);
      }),
  );

  it('a page holds exactly the rows the Kysely-built query selected, for every filter and version mode', () =>
    withTestDatabase<HubDatabase>(dialect, async (fresh) => {
      await runMigrations(fresh.db, hubMigrations);
      const versions = ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z'];
      const tlps = [null, 'red', 'amber+strict', 'green'];
      let n = 0;
      for (const collection of ['c1', 'c2'])
        for (let i = 0; i < 24; i++) {
          const rows = versions.slice(0, 1 + (i % 3)).map((version) => ({
            collection_id: collection,
            object_id: `${i % 2 ? 'indicator' : 'campaign'}--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            object_type: i % 2 ? 'indicator' : 'campaign',
            version,
            spec_version: i % 5 ? '2.1' : '2.0',
            publisher: 'org-a',
            group_name: i % 4 < 2 ? 'g' : 'h',
            tlp: tlps[i % 4]!,
            body: JSON.stringify({ n: n++ }),
          }));
          await insertHubObjects(fresh.db, rows, Date.parse('2026-11-23T00:00:00Z') + i * 1000);
        }
      const all = await fresh.db
        .selectFrom('hub_objects')
        .select(['seq', 'date_added_ms'])
        .orderBy('seq')
        .execute();
      const midSeq = Number(all[30]!.seq);
      const midMs = Number(all[40]!.date_added_ms);
      const id = (i: number) =>
        `${i % 2 ? 'indicator' : 'campaign'}--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const modes: ObjectQuery['versions'][] = [
        { mode: 'last' },
        { mode: 'first' },
        { mode: 'all' },
        { mode: 'exact', values: [versions[1]!] },
        { mode: 'union', first: true, last: true, values: [] },
        { mode: 'union', first: false, last: true, values: [versions[0]!, versions[1]!] },
      ];
      const extras: Partial<ObjectQuery>[] = [
        {},
        { afterSeq: midSeq },
        { addedAfterMs: midMs },
        { objectId: id(5) },
        { ids: [id(2), id(5), id(7)] },
        { types: ['indicator'] },
        { specVersions: ['2.0'] },
        { readerGroups: [] },
        { readerGroups: ['h'], restrictedTlps: [] },
      ];
      for (const versionsMode of modes)
        for (const extra of extras)
          for (const limit of [5, 1000]) {
            const q: ObjectQuery = {
              collectionId: 'c1',
              readerGroups: ['g'],
              restrictedTlps: ['red', 'amber+strict'],
              versions: versionsMode,
              limit,
              ...extra,
            };
            const mine = await queryHubObjects(fresh.db, q);
            const before = await kyselyPage(fresh.db, q);
            expect(mine, JSON.stringify(q)).toEqual(before);
            // A route asking for fewer columns gets the same rows, projected.
            const bodies = await queryHubObjects(fresh.db, q, ['date_added', 'body']);
            expect(bodies).toEqual({
              more: before.more,
              rows: before.rows.map((r) => ({ seq: r.seq, date_added: r.date_added, body: r.body })),
            });
          }
    }));

  it('gives ids stored before ownership was recorded to their earliest publisher', () =>
    withTestDatabase<HubDatabase>(dialect, async (old) => {
      await runMigrations(old.db, {
        name: 'hub',
        migrations: { '0001_hub': hubMigrations.migrations['0001_hub']! },
      });
      const row = (publisher: string, version: string) => ({
        collection_id: 'c9',
        object_id: 'campaign--00000000-0000-4000-8000-0000000000f1',
        object_type: 'campaign',
        version,
        spec_version: '2.1',
        publisher,
        group_name: 'g',
        tlp: null,
        body: '{}',
      });
      // A hijacked history: org-b added a later version of org-a's campaign.
      for (const r of [row('org-a', '2026-11-20T00:00:00.000Z'), row('org-b', '2026-11-21T00:00:00.000Z')])
        await old.db
          .insertInto('hub_objects')
          .values({ ...r, date_added: '2026-11-22T00:00:00.000Z', date_added_ms: 1 })
          .execute();
      expect(await runMigrations(old.db, hubMigrations)).toEqual(['0002_object_owners']);
      const owners = await old.db.selectFrom('hub_object_owners').select(['object_id', 'owner']).execute();
      expect(owners).toEqual([{ object_id: row('x', '').object_id, owner: 'org-a' }]);
    }));

  it('pages objects that share one date_added without losing or repeating any', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => indicatorRow(i));
    const added = await insertHubObjects(db, rows, Date.parse('2026-11-21T00:00:00Z'));
    expect(new Set(added.map((r) => r.date_added)).size).toBe(1);
    const seen: string[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await queryHubObjects(db, {
        collectionId: 'c1',
        readerGroups: ['g'],
        restrictedTlps: ['red'],
        versions: { mode: 'last' },
        limit: 3,
        ...(after !== undefined ? { afterSeq: after } : {}),
      });
      seen.push(...page.rows.map((r) => r.object_id));
      if (!page.more) break;
      after = page.rows.at(-1)!.seq;
    }
    expect(seen).toEqual(rows.map((r) => r.object_id));
    // Re-posting the same versions adds nothing.
    expect(await insertHubObjects(db, rows)).toHaveLength(0);
  });
});

// The page query as Kysely built it before it was written out (hubObjectPageSql): the reference.
/** Keyset page over (seq): seq order is date_added order, so equal timestamps never split or repeat. */
async function kyselyPage(
  db: Kysely<HubDatabase>,
  q: ObjectQuery,
): Promise<{ rows: HubObjectPageRow[]; more: boolean }> {
  // Only the columns a read uses: each row's other strings would be built and dropped per page.
  let query = db
    .selectFrom('hub_objects as o')
    .select(['o.seq', 'o.object_id', 'o.version', 'o.date_added', 'o.publisher', 'o.body'])
    .where('o.collection_id', '=', q.collectionId);
  query = query.where((eb) => visibleTo(eb, q));
  if (q.afterSeq !== undefined) query = query.where('o.seq', '>', q.afterSeq);
  if (q.addedAfterMs !== undefined) query = query.where('o.date_added_ms', '>', q.addedAfterMs);
  if (q.objectId) query = query.where('o.object_id', '=', q.objectId);
  if (q.ids?.length) query = query.where('o.object_id', 'in', q.ids);
  if (q.types?.length) query = query.where('o.object_type', 'in', q.types);
  if (q.specVersions?.length) query = query.where('o.spec_version', 'in', q.specVersions);
  const v = q.versions;
  const extreme = (
    eb: ExpressionBuilder<HubDatabase & { o: HubObjectsTable }, 'o'>,
    which: 'first' | 'last',
  ) =>
    eb(
      'o.version',
      '=',
      eb
        .selectFrom('hub_objects as o2')
        .select((e) => (which === 'last' ? e.fn.max('o2.version') : e.fn.min('o2.version')).as('v'))
        .whereRef('o2.collection_id', '=', 'o.collection_id')
        .whereRef('o2.object_id', '=', 'o.object_id'),
    );
  if (v.mode === 'exact') query = query.where('o.version', 'in', v.values);
  else if (v.mode === 'union')
    query = query.where((eb) =>
      eb.or([
        ...(v.first ? [extreme(eb, 'first')] : []),
        ...(v.last ? [extreme(eb, 'last')] : []),
        ...(v.values.length ? [eb('o.version', 'in', v.values)] : []),
      ]),
    );
  else if (v.mode !== 'all') {
    const which = v.mode;
    query = query.where((eb) => extreme(eb, which));
  }
  const rows = await query
    .orderBy('o.seq')
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  return {
    rows: rows.slice(0, q.limit).map((r) => ({ ...r, seq: Number(r.seq) })),
    more,
  };
}
