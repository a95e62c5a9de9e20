import { Migrator, sql, type ColumnDataType, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './database.js';

export interface MigrationSet {
  /** Distinct per module (e.g. 'core', 'hub'): each set keeps its own bookkeeping table. */
  name: string;
  /** Keyed by sortable names ('0001_core', '0002_…'); applied in key order. */
  migrations: Record<string, Migration>;
}

/** A migration that adds one nullable column to a table (and drops it going down). */
export function addColumnMigration(table: string, column: string, type: ColumnDataType): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable(table).addColumn(column, type).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable(table).dropColumn(column).execute();
    },
  };
}

/**
 * Applies every pending migration of a set, in order, on SQLite or PostgreSQL. Independent sets
 * (core, hub, …) use separate bookkeeping tables so modules can evolve their tables separately.
 * Returns the names applied now.
 */
export async function runMigrations<DB>(db: Kysely<DB>, set: MigrationSet): Promise<string[]> {
  if (!/^[a-z][a-z0-9_]*$/.test(set.name))
    throw new Error(`migration set name "${set.name}" is not snake_case`);
  // PostgreSQL: name the schema in use. Without it Kysely sees a bookkeeping table in ANY schema
  // of the database (another tenant, a concurrent test run) as ours and never creates its own.
  const schema =
    dialectOf(db) === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(set.migrations) },
    ...(schema ? { migrationTableSchema: schema } : {}),
    migrationTableName: `dg_migrations_${set.name}`,
    migrationLockTableName: `dg_migrations_${set.name}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `migration set ${set.name}: ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
