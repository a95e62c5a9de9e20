import type { Kysely } from 'kysely';
import type { AuditEntry } from '../contracts/index.js';
import type { CoreDatabase } from './core-tables.js';

type Db = Kysely<CoreDatabase>;

export interface NewAuditEntry {
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  details?: unknown;
}

export async function appendAudit(db: Db, e: NewAuditEntry, now = Date.now()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now,
      actor: e.actor,
      action: e.action,
      subject_type: e.subject_type,
      subject_id: e.subject_id,
      details: JSON.stringify(e.details ?? {}),
    })
    .execute();
}

/** Newest first; `beforeId` continues a previous page. */
export async function listAudit(db: Db, limit: number, beforeId?: number): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  const rows = await q.orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    subject_type: r.subject_type,
    subject_id: r.subject_id,
    details: JSON.parse(r.details) as unknown,
  }));
}
