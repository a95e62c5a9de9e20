import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserError, unstorableText } from '../contracts/index.js';
import {
  addBenignReference,
  appendAudit,
  getCaseRow,
  insertCase,
  insertCaseComment,
  listCaseComments,
  listCaseRows,
  updateCaseRow,
  type CaseRow,
  type CoreDb,
} from '../store/index.js';
import type { DecisionBook } from './decision-book.js';

export const CaseStatus = z.enum(['open', 'investigating', 'actioned', 'closed', 'false_positive']);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const NewCase = z.strictObject({
  subject_type: z.enum(['cluster', 'account']),
  subject_id: z.string().min(1).max(200),
  title: z.string().trim().min(1, { error: 'title must not be empty' }).max(300),
  assignee: z.string().min(1).max(200).nullable().optional(),
});
export type NewCase = z.infer<typeof NewCase>;

export const CasePatch = z
  .strictObject({
    status: CaseStatus.optional(),
    assignee: z.string().min(1).max(200).nullable().optional(),
    title: z.string().trim().min(1).max(300).optional(),
  })
  .refine((p) => p.status !== undefined || p.assignee !== undefined || p.title !== undefined, {
    error: 'give at least one of status, assignee, title',
  });
export type CasePatch = z.infer<typeof CasePatch>;

export const NewComment = z.strictObject({
  body: z.string().trim().min(1, { error: 'body must not be empty' }).max(10_000),
});

export interface CaseView {
  id: string;
  subject_type: 'cluster' | 'account';
  subject_id: string;
  title: string;
  status: CaseStatus;
  assignee: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CaseComment {
  id: string;
  author: string;
  body: string;
  created_at: string;
}

/** What cases need to know about current findings. */
export interface CaseSubjects {
  /** Accounts of a cluster, or null when no such cluster is in the findings. */
  clusterMembers(clusterId: string): readonly string[] | null;
  /** The account's current cluster, if any. */
  clusterOf(accountId: string): string | null;
}

export interface CaseServiceDeps {
  db: CoreDb;
  decisions: DecisionBook;
  subjects: CaseSubjects;
  /** Detection calibration learns from false positives (engine.addBenignReference). */
  onBenign?: (accountIds: readonly string[]) => void;
  /** Case events for webhooks. */
  onEvent?: (type: 'case.created' | 'case.updated', c: CaseView) => Promise<void> | void;
}

/**
 * Case workflow: open from a cluster or account, assign, comment, move through statuses.
 * Outcomes act: `actioned` and `false_positive` set the policy's manual decision on the subject's
 * accounts, and a false positive joins the benign reference. Every call is audited.
 */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  async create(actor: string, input: NewCase, now = Date.now()): Promise<CaseView> {
    if (input.subject_type === 'cluster' && this.deps.subjects.clusterMembers(input.subject_id) === null)
      throw new UserError(
        'NOT_FOUND',
        `No cluster ${input.subject_id} in the current findings; list them with GET /v1/clusters.`,
      );
    const row: CaseRow = {
      id: `case_${randomUUID()}`,
      subject_type: input.subject_type,
      subject_id: input.subject_id,
      title: input.title,
      status: 'open',
      assignee: input.assignee ?? null,
      created_by: actor,
      created_at: now,
      updated_at: now,
    };
    await insertCase(this.deps.db, row);
    await this.audit(
      actor,
      'case.create',
      row.id,
      { subject_type: row.subject_type, subject_id: row.subject_id },
      now,
    );
    const v = caseView(row);
    await this.deps.onEvent?.('case.created', v);
    return v;
  }

  async get(id: string): Promise<{ case: CaseView; comments: CaseComment[] }> {
    const row = await this.require(id);
    const comments = await listCaseComments(this.deps.db, id);
    return {
      case: caseView(row),
      comments: comments.map((c) => ({
        id: c.id,
        author: c.author,
        body: c.body,
        created_at: new Date(c.created_at).toISOString(),
      })),
    };
  }

  async list(opts: { status?: CaseStatus | undefined; limit: number; cursor?: string | undefined }): Promise<{
    items: CaseView[];
    next: string | null;
  }> {
    const before = opts.cursor ? decodeCaseCursor(opts.cursor) : undefined;
    const rows = await listCaseRows(this.deps.db, { status: opts.status, limit: opts.limit + 1, before });
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(caseView),
      next: rows.length > opts.limit && last ? encodeCaseCursor(last.created_at, last.id) : null,
    };
  }

  async update(actor: string, id: string, patch: CasePatch, now = Date.now()): Promise<CaseView> {
    const row = await this.require(id);
    const next: CaseRow = {
      ...row,
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.assignee !== undefined ? { assignee: patch.assignee } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      updated_at: now,
    };
    await updateCaseRow(this.deps.db, id, {
      status: next.status,
      assignee: next.assignee,
      title: next.title,
      updated_at: now,
    });
    await this.audit(
      actor,
      'case.update',
      id,
      { from: { status: row.status, assignee: row.assignee }, patch },
      now,
    );
    if (patch.status && patch.status !== row.status) await this.applyOutcome(actor, next, patch.status, now);
    const v = caseView(next);
    await this.deps.onEvent?.('case.updated', v);
    return v;
  }

  async comment(actor: string, id: string, body: string, now = Date.now()): Promise<CaseComment> {
    await this.require(id);
    const c = { id: `cmt_${randomUUID()}`, case_id: id, author: actor, body, created_at: now };
    await insertCaseComment(this.deps.db, c);
    await updateCaseRow(this.deps.db, id, { updated_at: now });
    await this.audit(actor, 'case.comment', id, { comment_id: c.id, chars: body.length }, now);
    return { id: c.id, author: actor, body, created_at: new Date(now).toISOString() };
  }

  private async applyOutcome(actor: string, c: CaseRow, status: CaseStatus, now: number): Promise<void> {
    if (status !== 'actioned' && status !== 'false_positive') return;
    const accounts = this.subjectAccounts(c);
    if (accounts.length === 0) return;
    const action = this.deps.decisions.policy.policy.cases[status];
    const scope = c.subject_type === 'cluster' ? 'cluster' : 'account';
    await this.deps.decisions.setManual(
      {
        account_ids: accounts,
        action,
        reason: `case ${c.id} ${status === 'actioned' ? 'actioned' : 'judged a false positive'}`,
        scope,
        cluster_id: c.subject_type === 'cluster' ? c.subject_id : this.deps.subjects.clusterOf(c.subject_id),
        actor,
      },
      now,
    );
    if (status === 'false_positive') {
      await addBenignReference(this.deps.db, accounts, 'false_positive', c.id, now);
      this.deps.onBenign?.(accounts);
    }
    await this.audit(actor, `case.outcome.${status}`, c.id, { action, accounts: accounts.length }, now);
  }

  private subjectAccounts(c: CaseRow): string[] {
    if (c.subject_type === 'account') return [c.subject_id];
    return [...(this.deps.subjects.clusterMembers(c.subject_id) ?? [])];
  }

  private async require(id: string): Promise<CaseRow> {
    const row = await getCaseRow(this.deps.db, id);
    if (!row) throw new UserError('NOT_FOUND', `No case ${id}; list cases with GET /v1/cases.`);
    return row;
  }

  private async audit(
    actor: string,
    action: string,
    caseId: string,
    details: unknown,
    now: number,
  ): Promise<void> {
    await appendAudit(
      this.deps.db,
      { actor, action, subject_type: 'case', subject_id: caseId, details },
      now,
    );
  }
}

function caseView(r: CaseRow): CaseView {
  return {
    id: r.id,
    subject_type: r.subject_type as CaseView['subject_type'],
    subject_id: r.subject_id,
    title: r.title,
    status: r.status as CaseStatus,
    assignee: r.assignee,
    created_by: r.created_by,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

const encodeCaseCursor = (createdAt: number, id: string): string =>
  Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

function decodeCaseCursor(cursor: string): { created_at: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Hostile input like any other: a store-sized time (PostgreSQL bigint) and a storable id.
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isSafeInteger(v[0]) &&
      (v[0] as number) >= 0 &&
      typeof v[1] === 'string' &&
      v[1].length <= 300 &&
      unstorableText(v[1]) === undefined
    )
      return { created_at: v[0] as number, id: v[1] };
  } catch {
    // fall through to the error below
  }
  throw new UserError(
    'INVALID_ARGUMENT',
    'cursor is not one this server returned; pass the `next` value as is.',
  );
}
