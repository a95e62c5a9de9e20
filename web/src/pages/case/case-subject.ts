import type { AccountDetail, ClusterDetail } from '../../../../src/contracts/index.js';
import type { Case, CaseComment } from '../../api/types.js';
import { anchorAccount, type ClusterMembers } from '../../components/decision/anchor-account.js';

export type Subject = { kind: 'cluster'; data: ClusterDetail } | { kind: 'account'; data: AccountDetail };

/** Runs one change to a case, then reloads it; a failure shows above the page. */
export type CaseAct = (run: () => Promise<unknown>) => Promise<void>;

/** What GET /v1/cases/:id answers. */
export type CaseAnswer = Case | { case: Case; comments?: CaseComment[] };

/** The server answers `{case, comments}`; a flat case with `comments` is accepted too. */
export function unwrapCase(value: CaseAnswer): Case {
  return 'case' in value ? { ...value.case, comments: value.comments ?? value.case.comments ?? [] } : value;
}

/**
 * The account a case's decision panel acts on: the subject itself for an account case; for a
 * cluster case its highest-scoring member (the panel can widen the scope to the whole cluster).
 * Undefined while a cluster's detail is not loaded.
 */
export function decisionAccountFor(
  c: Pick<Case, 'subject_type' | 'subject_id'>,
  cluster: ClusterMembers | undefined,
): string | undefined {
  if (c.subject_type === 'account') return c.subject_id;
  return cluster && anchorAccount(cluster);
}
