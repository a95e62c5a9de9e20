import type { Kysely } from 'kysely';
import type { Findings } from '../contracts/index.js';
import type { CoreDatabase } from './core-tables.js';

type Db = Kysely<CoreDatabase>;

/** Keeps the newest `keep` snapshots: enough history to compare, bounded disk. */
export async function saveFindingsSnapshot(
  db: Db,
  findings: Findings,
  {
    keep = 20,
    now = Date.now(),
    body = JSON.stringify(findings),
  }: {
    /** Snapshots kept, newest first. */
    keep?: number;
    now?: number;
    /** The findings as JSON when the caller has it already (serve's engine thread writes it off the main thread). */
    body?: string | undefined;
  } = {},
): Promise<void> {
  await db
    .insertInto('findings_snapshots')
    .values({ generated_at: findings.generated_at, created_at: now, body })
    .execute();
  const cutoff = await db
    .selectFrom('findings_snapshots')
    .select('id')
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('findings_snapshots').where('id', '<=', cutoff.id).execute();
}

export async function latestFindingsSnapshot(db: Db): Promise<Findings | null> {
  const row = await db
    .selectFrom('findings_snapshots')
    .select('body')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? (JSON.parse(row.body) as Findings) : null;
}
