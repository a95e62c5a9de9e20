// Response shapes of the cases, decisions and policy routes. The findings views (overview,
// clusters, accounts, signals, audit) and the level order and palette are defined once in
// src/contracts/ and imported from there; these follow when the decision and case contracts
// move to src/contracts/ as well.

export const CASE_STATUSES = ['open', 'investigating', 'actioned', 'closed', 'false_positive'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface CaseComment {
  id?: string | number;
  author?: string | null;
  body: string;
  created_at?: string;
}

export interface Case {
  id: string;
  subject_type: 'cluster' | 'account';
  subject_id: string;
  title: string;
  status: CaseStatus;
  assignee?: string | null;
  created_at?: string;
  updated_at?: string;
  comments?: CaseComment[];
}

export const ACTIONS = ['allow', 'monitor', 'step_up', 'throttle', 'degrade', 'block'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Decision {
  account_id: string;
  action: Action;
  reason: string;
  source: 'policy' | 'manual' | 'cluster';
  scope?: 'account' | 'cluster';
  cluster_id?: string | null;
  expires_at: string | null;
  /** Null for the default allow of an account nothing was decided for. */
  updated_at: string | null;
  /** Canaries are embedded in this account's answers. */
  watch?: boolean;
  rate_per_minute?: number;
  degrade?: { reasoning_trace: boolean; logprobs: boolean; max_tokens: number };
}

export interface DecisionRequest {
  action: Action;
  reason: string;
  scope: 'account' | 'cluster';
  ttl_seconds?: number;
}
