import type { Decision, DecisionAction } from '../../../src/contracts/index.js';

// Response shapes of the cases and policy routes; decisions come from src/contracts/decision.ts. The findings views (overview,
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

// The list is written out (not DecisionAction.options) so the dashboard bundle stays free of zod;
// the check below fails to compile when it drifts from the contract.
export const ACTIONS = [
  'allow',
  'monitor',
  'step_up',
  'throttle',
  'degrade',
  'block',
] as const satisfies readonly DecisionAction[];
export type Action = DecisionAction;
const _everyActionListed: [Exclude<DecisionAction, (typeof ACTIONS)[number]>] extends [never] ? true : false =
  true;
void _everyActionListed;

export type { Decision };

export interface DecisionRequest {
  action: Action;
  reason: string;
  scope: 'account' | 'cluster';
  ttl_seconds?: number;
}
