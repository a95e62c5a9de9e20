import type { Kysely } from 'kysely';
import type { AccountRecord } from '../contracts/index.js';
import type { CoreDatabase } from './core-tables.js';
import { upsertRows } from './upsert-rows.js';

type Db = Kysely<CoreDatabase>;

/** Inserts or replaces account records (the newest record for an id wins). */
export async function upsertAccounts(
  db: Db,
  records: readonly AccountRecord[],
  now = Date.now(),
): Promise<void> {
  if (records.length === 0) return;
  const byId = new Map(records.map((r) => [r.account_id, r]));
  const rows = [...byId.values()].map((r) => ({
    account_id: r.account_id,
    record: JSON.stringify(r),
    updated_at: now,
  }));
  await db
    .transaction()
    .execute((trx) => upsertRows(trx, 'accounts', 'account_id', ['record', 'updated_at'], rows, 500));
}

export async function getAccountRecord(db: Db, accountId: string): Promise<AccountRecord | null> {
  const row = await db
    .selectFrom('accounts')
    .select('record')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.record) as AccountRecord) : null;
}

export async function allAccountRecords(db: Db): Promise<AccountRecord[]> {
  const rows = await db.selectFrom('accounts').select('record').orderBy('account_id').execute();
  return rows.map((r) => JSON.parse(r.record) as AccountRecord);
}

export async function getAccountRecords(db: Db, ids: readonly string[]): Promise<Map<string, AccountRecord>> {
  const out = new Map<string, AccountRecord>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('accounts')
      .select('record')
      .where('account_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      const rec = JSON.parse(r.record) as AccountRecord;
      out.set(rec.account_id, rec);
    }
  }
  return out;
}
