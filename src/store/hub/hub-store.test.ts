import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import {
  openTestDatabase,
  storeTestBackends,
  withTestDatabase,
  type TestDatabase,
} from '../../../test/store-harness.js';
import { runMigrations } from '../migrate.js';
import { hubMigrations } from './hub-migrations.js';
import { appendHubAudit, verifyHubAudit } from './audit-chain.js';
import { insertHubObjects, queryHubObjects } from './object-store.js';
import type { HubDatabase } from './hub-tables.js';

const backends = await storeTestBackends();

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
    const rows = Array.from({ length: 7 }, (_, i) => ({
      collection_id: 'c1',
      object_id: `indicator--00000000-0000-4000-8000-00000000000${i}`,
      object_type: 'indicator',
      version: '2026-11-20T00:00:00.000Z',
      spec_version: '2.1',
      publisher: 'org-a',
      group_name: 'g',
      tlp: null,
      body: '{}',
    }));
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
