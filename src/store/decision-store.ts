import type { Kysely, Selectable } from 'kysely';
import type { CoreDatabase, DecisionsTable } from './core-tables.js';
import { upsertRows } from './upsert-rows.js';

type Db = Kysely<CoreDatabase>;
export type DecisionRow = Selectable<DecisionsTable>;

export async function loadDecisionRows(db: Db): Promise<DecisionRow[]> {
  return db.selectFrom('decisions').selectAll().execute();
}

/** What an upsert of a decision replaces: every column but the account id. */
const DECISION_COLUMNS = [
  'action',
  'reason',
  'source',
  'scope',
  'cluster_id',
  'expires_at',
  'updated_at',
  'updated_by',
  'watch',
] as const;

/** Applies a batch of decision changes atomically: upserts, then deletes (back to default). */
export async function saveDecisionChanges(
  db: Db,
  upserts: readonly DecisionRow[],
  deletes: readonly string[],
): Promise<void> {
  if (upserts.length === 0 && deletes.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await upsertRows(trx, 'decisions', 'account_id', DECISION_COLUMNS, upserts, 300);
    for (let i = 0; i < deletes.length; i += 500)
      await trx
        .deleteFrom('decisions')
        .where('account_id', 'in', deletes.slice(i, i + 500))
        .execute();
  });
}
