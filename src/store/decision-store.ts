import type { Kysely, Selectable } from 'kysely';
import type { CoreDatabase, DecisionsTable } from './core-tables.js';

type Db = Kysely<CoreDatabase>;
export type DecisionRow = Selectable<DecisionsTable>;

export async function loadDecisionRows(db: Db): Promise<DecisionRow[]> {
  return db.selectFrom('decisions').selectAll().execute();
}

/** Applies a batch of decision changes atomically: upserts, then deletes (back to default). */
export async function saveDecisionChanges(
  db: Db,
  upserts: readonly DecisionRow[],
  deletes: readonly string[],
): Promise<void> {
  if (upserts.length === 0 && deletes.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < upserts.length; i += 300)
      await trx
        .insertInto('decisions')
        .values(upserts.slice(i, i + 300))
        .onConflict((oc) =>
          oc.column('account_id').doUpdateSet((eb) => ({
            action: eb.ref('excluded.action'),
            reason: eb.ref('excluded.reason'),
            source: eb.ref('excluded.source'),
            scope: eb.ref('excluded.scope'),
            cluster_id: eb.ref('excluded.cluster_id'),
            expires_at: eb.ref('excluded.expires_at'),
            updated_at: eb.ref('excluded.updated_at'),
            updated_by: eb.ref('excluded.updated_by'),
            watch: eb.ref('excluded.watch'),
          })),
        )
        .execute();
    for (let i = 0; i < deletes.length; i += 500)
      await trx
        .deleteFrom('decisions')
        .where('account_id', 'in', deletes.slice(i, i + 500))
        .execute();
  });
}
