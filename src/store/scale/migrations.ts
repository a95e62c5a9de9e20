import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '../migrate.js';

// Migrations must not depend on today's types.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

const scale0001: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('scale_partitions')
      .addColumn('partition', 'integer', (c) => c.primaryKey())
      .addColumn('owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('fence', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('events', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('applied_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('scale_workers')
      .addColumn('worker_id', 'text', (c) => c.primaryKey())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('scale_account_state')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('scale_account_state_partition')
      .on('scale_account_state')
      .column('partition')
      .execute();
    await db.schema
      .createTable('scale_seen_events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('scale_scoring')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('scored_version', 'bigint', (c) => c.notNull())
      .addColumn('scored_at', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into scale_scoring (id, scored_version, scored_at) values (1, -1, 0)`.execute(db);
  },
  async down(db: AnyDb) {
    for (const t of [
      'scale_scoring',
      'scale_seen_events',
      'scale_account_state',
      'scale_workers',
      'scale_partitions',
    ])
      await db.schema.dropTable(t).ifExists().execute();
  },
};

/** Scale-out worker tables (PostgreSQL); their own bookkeeping, beside the core set. */
export const scaleMigrations: MigrationSet = {
  name: 'scale',
  migrations: { '0001_scale': scale0001 },
};
