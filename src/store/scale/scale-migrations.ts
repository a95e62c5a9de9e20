import { sql, type Kysely, type Migration } from 'kysely';
import { addColumnMigration, type MigrationSet } from '../migrate.js';

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

/**
 * Seen ids learn their stream sequence and time so they can be pruned once redelivery can no
 * longer bring them back; bad messages from the stream are quarantined with their reason.
 */
const scale0002: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable('scale_seen_events')
      .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('scale_seen_events')
      .addColumn('seen_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('scale_seen_events_partition_seq')
      .on('scale_seen_events')
      .columns(['partition', 'seq'])
      .execute();
    await db.schema
      .createTable('scale_quarantine')
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('raw', 'text', (c) => c.notNull())
      .addColumn('raw_encoding', 'text', (c) => c.notNull())
      .addColumn('raw_bytes', 'integer', (c) => c.notNull())
      .addColumn('raw_truncated', 'boolean', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('scale_quarantine_pk', ['stream', 'seq'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('scale_quarantine').ifExists().execute();
    await db.schema.dropIndex('scale_seen_events_partition_seq').ifExists().execute();
    await db.schema.alterTable('scale_seen_events').dropColumn('seen_at').execute();
    await db.schema.alterTable('scale_seen_events').dropColumn('seq').execute();
  },
};

/**
 * A line a publisher rejected and forwarded is stored once by its identity (source, line number
 * and content), durably: the stream's duplicate window and the seen ids both expire, and a file
 * ingested again later must not count its bad lines twice. Bad stream messages have no such
 * identity (null; several nulls are allowed) and stay keyed by stream and sequence.
 */
const scale0003: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('scale_quarantine').addColumn('line_key', 'text').execute();
    await db.schema
      .createIndex('scale_quarantine_line_key')
      .on('scale_quarantine')
      .column('line_key')
      .unique()
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('scale_quarantine_line_key').ifExists().execute();
    await db.schema.alterTable('scale_quarantine').dropColumn('line_key').execute();
  },
};

/**
 * A lease belongs to a process incarnation (a random token per start), not to the operator's
 * worker id: a worker restarted under the same id must not renew, as its own, the leases of its
 * dead predecessor that it never works on.
 */
const scale0004 = addColumnMigration('scale_partitions', 'incarnation', 'text');

/**
 * The stream topology this database belongs to, recorded at first use: its account states are
 * keyed by partition and its seen ids and leases are of one stream, so a worker of another
 * stream or partition count must be refused, not mixed in. One row (id 1).
 */
const scale0005: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('scale_topology')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('subject_prefix', 'text', (c) => c.notNull())
      .addColumn('partitions', 'integer', (c) => c.notNull())
      .addColumn('bound_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('scale_topology').ifExists().execute();
  },
};

/**
 * An account's kernel sum (96 float64) in binary beside its JSON state: as JSON it was a third of
 * the state's bytes and most of its encoding and parsing cost, paid for every changed account in
 * every batch and for every account in every scoring round. Rows written before keep it in the
 * JSON (kernel null) and restore as before; each is rewritten in the new form when it next changes.
 */
const scale0006 = addColumnMigration('scale_account_state', 'kernel', 'bytea');

/**
 * A change counter per account state row: the partition's version of the commit that last wrote
 * it (commits of one partition are serialised by its row lock, so its versions are in commit
 * order). The scoring thread keeps the states it parsed between rounds and reads only the rows
 * above the versions it last saw, instead of every account in every round. Rows written before
 * have 0 and are read by a scorer's first (full) round, like every row.
 */
const scale0007: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable('scale_account_state')
      .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('scale_account_state_partition_version')
      .on('scale_account_state')
      .columns(['partition', 'version'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('scale_account_state_partition_version').ifExists().execute();
    await db.schema.alterTable('scale_account_state').dropColumn('version').execute();
  },
};

/** Scale-out worker tables (PostgreSQL); their own bookkeeping, beside the core set. */
export const scaleMigrations: MigrationSet = {
  name: 'scale',
  migrations: {
    '0001_scale': scale0001,
    '0002_prune_quarantine': scale0002,
    '0003_quarantine_line_key': scale0003,
    '0004_lease_incarnation': scale0004,
    '0005_topology': scale0005,
    '0006_state_kernel': scale0006,
    '0007_state_version': scale0007,
  },
};
