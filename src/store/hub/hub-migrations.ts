import { sql, type CreateTableBuilder, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../database.js';
import type { MigrationSet } from '../migrate.js';

// Migrations must not depend on today's types.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

function withSeq<T extends string>(db: AnyDb, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'seq'> {
  return dialectOf(db) === 'postgres'
    ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey())
    : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Members, their credentials and signing keys, and the groups they belong to. */
async function createMembershipTables(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hub_members')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text')
    .addColumn('api_key_hash', 'text')
    .addColumn('signing_key_id', 'text')
    .addColumn('signing_public_key', 'text')
    .addColumn('disclose_sightings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_members_api_key').on('hub_members').column('api_key_hash').execute();
  await db.schema
    .createTable('hub_groups')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('members_visible', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('hub_group_members')
    .addColumn('group_name', 'text', (c) => c.notNull().references('hub_groups.name').onDelete('cascade'))
    .addColumn('member_name', 'text', (c) => c.notNull().references('hub_members.name').onDelete('cascade'))
    .addPrimaryKeyConstraint('hub_group_members_pk', ['group_name', 'member_name'])
    .execute();
}

/** Collections and which groups may read and write each. */
async function createCollectionTables(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hub_collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('hub_collection_grants')
    .addColumn('collection_id', 'text', (c) =>
      c.notNull().references('hub_collections.id').onDelete('cascade'),
    )
    .addColumn('group_name', 'text', (c) => c.notNull().references('hub_groups.name').onDelete('cascade'))
    .addColumn('can_read', 'integer', (c) => c.notNull())
    .addColumn('can_write', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('hub_collection_grants_pk', ['collection_id', 'group_name'])
    .execute();
}

/** Objects as published (every version), status resources, sightings and the audit chain. */
async function createObjectTables(db: AnyDb): Promise<void> {
  await withSeq(db, db.schema.createTable('hub_objects'))
    .addColumn('collection_id', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('spec_version', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('date_added_ms', 'bigint', (c) => c.notNull())
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addUniqueConstraint('hub_objects_version_unique', ['collection_id', 'object_id', 'version'])
    .execute();
  await db.schema
    .createIndex('hub_objects_collection_seq')
    .on('hub_objects')
    .columns(['collection_id', 'seq'])
    .execute();
  await db.schema.createIndex('hub_objects_object').on('hub_objects').columns(['object_id']).execute();
  await db.schema
    .createTable('hub_status')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await withSeq(db, db.schema.createTable('hub_sightings'))
    .addColumn('collection_id', 'text', (c) => c.notNull())
    .addColumn('sighting_id', 'text', (c) => c.notNull())
    .addColumn('sighting_of_ref', 'text', (c) => c.notNull())
    .addColumn('sighter', 'text', (c) => c.notNull())
    .addColumn('anonymous', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_sightings_of').on('hub_sightings').columns(['sighting_of_ref']).execute();
  await withSeq(db, db.schema.createTable('hub_audit'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

const hub0001: Migration = {
  async up(db: AnyDb) {
    await createMembershipTables(db);
    await createCollectionTables(db);
    await createObjectTables(db);
  },
  async down(db: AnyDb) {
    for (const t of [
      'hub_audit',
      'hub_sightings',
      'hub_status',
      'hub_objects',
      'hub_collection_grants',
      'hub_collections',
      'hub_group_members',
      'hub_groups',
      'hub_members',
    ])
      await db.schema.dropTable(t).ifExists().execute();
  },
};

// Who first published each object id: only that member may add versions of it, in any collection.
const hub0002: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('hub_object_owners')
      .addColumn('object_id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('collection_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // Objects stored before ownership was recorded belong to their earliest publisher.
    await sql`insert into hub_object_owners (object_id, owner, collection_id, created_at)
      select o.object_id, o.publisher, o.collection_id, o.date_added_ms from hub_objects o
      where o.seq = (select min(o2.seq) from hub_objects o2 where o2.object_id = o.object_id)`.execute(db);
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('hub_object_owners').ifExists().execute();
  },
};

export const hubMigrations: MigrationSet = {
  name: 'hub',
  migrations: { '0001_hub': hub0001, '0002_object_owners': hub0002 },
};
