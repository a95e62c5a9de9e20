import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Stored events the rebuild at start could not use (not JSON, or refused by today's validation,
 * e.g. nested too deep), moved out of `events` with why, so one bad row never stops a restart
 * again and nothing is silently dropped.
 */
export const coreMigration0003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event_quarantine')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('ts', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('quarantined_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('event_quarantine').ifExists().execute();
  },
};
