import type { Kysely } from 'kysely';
import type { CoreDatabase } from './core-tables.js';

type Db = Kysely<CoreDatabase>;

/** Accounts an analyst judged benign (false positive); detection calibrates on them. */
export async function addBenignReference(
  db: Db,
  accountIds: readonly string[],
  reason: string,
  caseId: string | null,
  now = Date.now(),
): Promise<void> {
  if (accountIds.length === 0) return;
  const rows = [...new Set(accountIds)].map((account_id) => ({
    account_id,
    reason,
    case_id: caseId,
    created_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('benign_reference')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
}

export async function listBenignReference(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('benign_reference').select('account_id').orderBy('account_id').execute();
  return rows.map((r) => r.account_id);
}
