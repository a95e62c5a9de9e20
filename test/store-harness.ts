import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import {
  coreMigrations,
  openDatabase,
  runMigrations,
  type CoreDatabase,
  type StoreDialect,
} from '../src/store/index.js';

/** The PostgreSQL the tests use: `TEST_DATABASE_URL`, else the machine's trust-auth `test` database. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when tests that need a service must fail rather than skip (CI sets REQUIRE_SERVICES=1). */
export const servicesRequired = (): boolean => process.env.REQUIRE_SERVICES === '1';

/** `null` when the test PostgreSQL answers, else why not (for a printed skip reason). */
export async function postgresUnavailableReason(url = TEST_POSTGRES_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is unavailable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement as the test database's owner, retrying while PostgreSQL restarts. */
export async function adminQuery(text: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    try {
      await c.connect();
      await c.query(text);
      return;
    } catch (err) {
      if (attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

export interface TestDatabase<DB> {
  db: Kysely<DB>;
  dialect: StoreDialect;
  /** The URL `openDatabase` accepts to reach the same data (SQLite file or PG URL). */
  url: string;
  /** The PostgreSQL schema, for `openDatabase({url, schema})` from a second process. */
  schema?: string;
  /** Destroys the instance and drops the schema / deletes the file. */
  dispose(): Promise<void>;
}

/**
 * A fresh, empty store for one test run: a temp SQLite file, or a new PostgreSQL schema
 * (`dg_test_<random>`) in the test database. Nothing is migrated yet.
 */
export async function openTestDatabase<DB = unknown>(dialect: StoreDialect): Promise<TestDatabase<DB>> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-store-'));
    const url = `sqlite:${path.join(dir, 'test.db')}`;
    const db = openDatabase<DB>({ url });
    return {
      db,
      dialect,
      url,
      async dispose() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `dg_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const db = openDatabase<DB>({ url: TEST_POSTGRES_URL, schema, poolSize: 4 });
  return {
    db,
    dialect,
    url: TEST_POSTGRES_URL,
    schema,
    async dispose() {
      await db.destroy();
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

/** A fresh store (`openTestDatabase`) with the core migrations applied. */
export async function openCoreTestDatabase(
  dialect: StoreDialect = 'sqlite',
): Promise<TestDatabase<CoreDatabase>> {
  const t = await openTestDatabase<CoreDatabase>(dialect);
  await runMigrations(t.db, coreMigrations);
  return t;
}

/** Runs `use` on a fresh store (`openTestDatabase`), disposing of it afterwards whatever `use` did. */
export async function withTestDatabase<DB>(
  dialect: StoreDialect,
  use: (t: TestDatabase<DB>) => Promise<void>,
): Promise<void> {
  const t = await openTestDatabase<DB>(dialect);
  try {
    await use(t);
  } finally {
    await t.dispose();
  }
}

/**
 * The backends a store test should run on: always SQLite; PostgreSQL when reachable. When it is
 * not, prints why and skips it, or throws when services are required.
 */
export async function storeTestBackends(): Promise<StoreDialect[]> {
  const reason = await postgresUnavailableReason();
  if (reason === null) return ['sqlite', 'postgres'];
  if (servicesRequired()) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  console.warn(`[skip] PostgreSQL store tests skipped: ${reason}`);
  return ['sqlite'];
}
