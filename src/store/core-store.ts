import type { Kysely } from 'kysely';
import { openDatabase, type OpenDatabaseOptions } from './database.js';
import { runMigrations } from './migrate.js';
import { coreMigrations } from './migrations/index.js';
import type { CoreDatabase } from './core-tables.js';

export type CoreDb = Kysely<CoreDatabase>;

/** Opens the store and brings the core tables up to date. */
export async function openCoreStore(opts: OpenDatabaseOptions = {}): Promise<CoreDb> {
  const db = openDatabase<CoreDatabase>(opts);
  try {
    await runMigrations(db, coreMigrations);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}
