import { sql, type Kysely, type Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Decisions remember `watch` (embed canaries), so a restart does not re-announce unchanged decisions. */
export const coreMigration0002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('decisions')
      .addColumn('watch', 'integer', (c) => c.notNull().defaultTo(sql`0`))
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('decisions').dropColumn('watch').execute();
  },
};
