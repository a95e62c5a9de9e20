import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { coreMigrations } from './migrations/index.js';
import { runMigrations } from './migrate.js';
import { dialectOf, openDatabase, resolveDatabaseTarget } from './database.js';
import { postgresUnavailableReason, storeTestBackends, withTestDatabase } from '../../test/store-harness.js';
import type { CoreDatabase } from './core-tables.js';

const backends = await storeTestBackends();

describe.each(backends)('store core on %s', (dialect) => {
  it('migrates once, and is idempotent on a second run', () =>
    withTestDatabase<CoreDatabase>(dialect, async (t) => {
      expect(dialectOf(t.db)).toBe(dialect);
      expect(await runMigrations(t.db, coreMigrations)).toEqual([
        '0001_core',
        '0002_decision_watch',
        '0003_event_quarantine',
      ]);
      expect(await runMigrations(t.db, coreMigrations)).toEqual([]);
      const tables = (await t.db.introspection.getTables()).map((x) => x.name);
      for (const name of ['events', 'cases', 'decisions', 'audit_log', 'api_keys', 'dead_letters'])
        expect(tables).toContain(name);
    }));

  it('keeps events idempotent by id and returns epoch millis as numbers', () =>
    withTestDatabase<CoreDatabase>(dialect, async (t) => {
      await runMigrations(t.db, coreMigrations);
      const row = {
        id: 'e1',
        account_id: 'a1',
        ts: '2026-01-01T00:00:00Z',
        ts_ms: Date.parse('2026-01-01T00:00:00Z'),
        body: '{}',
        received_at: 1_800_000_000_123,
      };
      await t.db
        .insertInto('events')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const again = await t.db
        .insertInto('events')
        .values({ ...row, body: '{"changed":true}' })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      expect(Number(again.numInsertedOrUpdatedRows ?? 0)).toBe(0);
      const rows = await t.db.selectFrom('events').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.body).toBe('{}');
      expect(rows[0]?.received_at).toBe(1_800_000_000_123);
      const audit = await t.db
        .insertInto('audit_log')
        .values({ at: 1, actor: 'k', action: 'x', subject_type: 's', subject_id: 'i', details: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(typeof audit.id).toBe('number');
      const n = await sql<{ n: number }>`select count(*) as n from events`.execute(t.db);
      expect(Number(n.rows[0]?.n)).toBe(1);
    }));

  it('runs independent migration sets side by side', () =>
    withTestDatabase<CoreDatabase>(dialect, async (t) => {
      await runMigrations(t.db, coreMigrations);
      const applied = await runMigrations(t.db, {
        name: 'other',
        migrations: {
          '0001_x': {
            up: async (db) => void (await db.schema.createTable('x').addColumn('a', 'text').execute()),
          },
        },
      });
      expect(applied).toEqual(['0001_x']);
      await expect(
        runMigrations(t.db, {
          name: 'broken',
          migrations: {
            '0001_bad': { up: async (db) => void (await sql`select * from nowhere`.execute(db)) },
          },
        }),
      ).rejects.toThrow(/0001_bad failed/);
    }));
});

describe('SQLite checkpoints in the background', () => {
  it('moves the write-ahead log into the database file from its own thread', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-wal-'));
    const file = path.join(dir, 'wal.db');
    const db = openDatabase<CoreDatabase>({ url: `sqlite:${file}`, backgroundCheckpoints: true });
    try {
      await runMigrations(db, coreMigrations);
      // Commits no longer checkpoint (that would stall the writer's event loop)...
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
      expect(rows[0]!.wal_autocheckpoint).toBe(0);
      const before = statSync(file).size;
      const body = 'x'.repeat(2000);
      await db
        .insertInto('events')
        .values(
          Array.from({ length: 400 }, (_, i) => ({
            id: `w${i}`,
            account_id: 'a',
            ts: '2026-01-01T00:00:00Z',
            ts_ms: i,
            body,
            received_at: 0,
          })),
        )
        .execute();
      // ...yet the rows reach the database file itself, copied by the checkpointing thread.
      const deadline = Date.now() + 10_000;
      while (statSync(file).size < before + 400 * 2000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(statSync(file).size).toBeGreaterThanOrEqual(before + 400 * 2000);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has closed every connection to the file when destroy resolves, so its folder can be removed', async () => {
    // CI saw ENOTEMPTY removing a service's data folder after close: the checkpointing thread still
    // held a connection and wrote the -wal/-shm files back while the folder was being removed.
    for (let round = 0; round < 5; round++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'dg-wal-close-'));
      const file = path.join(dir, 'wal.db');
      const db = openDatabase<CoreDatabase>({ url: `sqlite:${file}`, backgroundCheckpoints: true });
      await runMigrations(db, coreMigrations);
      await new Promise((r) => setTimeout(r, 300)); // the thread has opened its connection
      await db.destroy();
      // The last connection to close removes the write-ahead log and shared-memory files.
      expect(readdirSync(dir)).toEqual(['wal.db']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveDatabaseTarget', () => {
  it('chooses PostgreSQL for postgres URLs and a SQLite file otherwise', () => {
    expect(resolveDatabaseTarget({ url: 'postgres://h/db' }).dialect).toBe('postgres');
    expect(resolveDatabaseTarget({ url: 'sqlite::memory:' })).toEqual({
      dialect: 'sqlite',
      location: ':memory:',
    });
    const names = ['DISTILLGUARD_DATABASE_URL', 'DATABASE_URL'] as const;
    const saved = names.map((n) => process.env[n]);
    for (const n of names) delete process.env[n];
    try {
      expect(resolveDatabaseTarget({ dataDir: '/tmp/x' }).location).toBe('/tmp/x/distillguard.db');
    } finally {
      names.forEach((n, i) => {
        if (saved[i] !== undefined) process.env[n] = saved[i];
      });
    }
    expect(() => resolveDatabaseTarget({ url: 'mysql://h/db' })).toThrow(
      /DISTILLGUARD_DATABASE_URL\) must start/,
    );
  });
});

describe('service detection for tests', () => {
  it('says why PostgreSQL is unavailable, without the credentials', async () => {
    const reason = await postgresUnavailableReason('postgres://user:secret@127.0.0.1:1/test');
    expect(reason).toMatch(/PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/test is unavailable/);
    expect(reason).not.toContain('secret');
  });
});
