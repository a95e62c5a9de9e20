import type { Kysely, Selectable } from 'kysely';
import type { CaseCommentsTable, CasesTable, CoreDatabase } from './core-tables.js';

type Db = Kysely<CoreDatabase>;
export type CaseRow = Selectable<CasesTable>;
export type CaseCommentRow = Selectable<CaseCommentsTable>;

export async function insertCase(db: Db, row: CaseRow): Promise<void> {
  await db.insertInto('cases').values(row).execute();
}

export async function getCaseRow(db: Db, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first, optionally one status; `before` is the created_at/id keyset of the last row seen. */
export async function listCaseRows(
  db: Db,
  opts: {
    status?: string | undefined;
    limit: number;
    before?: { created_at: number; id: string } | undefined;
  },
): Promise<CaseRow[]> {
  let q = db.selectFrom('cases').selectAll();
  if (opts.status) q = q.where('status', '=', opts.status);
  const b = opts.before;
  if (b)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', b.created_at),
        eb.and([eb('created_at', '=', b.created_at), eb('id', '<', b.id)]),
      ]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function updateCaseRow(
  db: Db,
  id: string,
  patch: Partial<Pick<CaseRow, 'status' | 'assignee' | 'title'>> & { updated_at: number },
): Promise<void> {
  await db.updateTable('cases').set(patch).where('id', '=', id).execute();
}

export async function insertCaseComment(db: Db, row: CaseCommentRow): Promise<void> {
  await db.insertInto('case_comments').values(row).execute();
}

export async function listCaseComments(db: Db, caseId: string): Promise<CaseCommentRow[]> {
  return db
    .selectFrom('case_comments')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
