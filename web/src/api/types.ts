// Response shapes of the server's HTTP API (briefs: api-contract). Findings types come from the
// shared zod schemas so the dashboard and the engine agree on field names.
import type {
  AccountFinding,
  AccountRecord,
  ClusterFinding,
  ClusterLink,
  Findings,
  Level,
  Signal,
} from '../../../src/contracts/index.js';

export type { AccountFinding, AccountRecord, ClusterFinding, ClusterLink, Findings, Level, Signal };

/** A signal with the account or cluster it fired on (GET /v1/signals). */
export type SignalItem = Signal & { subject_type: 'account' | 'cluster'; subject_id: string };

export const LEVELS: readonly Level[] = ['none', 'monitor', 'review', 'act'];

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface TimelineBucket {
  t: string;
  events: number;
  flagged?: number;
}

export interface Overview {
  events: number;
  accounts: number;
  from: string | null;
  to: string | null;
  levels: Partial<Record<Level, number>>;
  clusters: { total: number; byLevel: Partial<Record<Level, number>> };
  /** When detection last refreshed the findings. */
  generated_at?: string;
  timeline: TimelineBucket[];
}

/** List form of a cluster: the account id list is replaced by its size. */
export type ClusterSummary = Pick<
  ClusterFinding,
  'cluster_id' | 'score' | 'level' | 'events' | 'links' | 'signals'
> & {
  size: number;
  account_ids?: string[];
};

export interface GraphNode {
  id: string;
  level: Level;
  score: number;
  events: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: string;
  weight: number;
}

export interface ClusterDetail {
  cluster: ClusterFinding;
  graph: { nodes: GraphNode[]; edges: GraphEdge[]; truncated?: boolean };
  timeline: TimelineBucket[];
}

export interface PromptSample {
  id: string;
  ts: string;
  model: string;
  prompt: string;
  params?: Record<string, unknown> | null;
}

export interface AccountDetail {
  account: AccountFinding;
  record: AccountRecord | null;
  samples: PromptSample[];
}

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

export interface AuditEntry {
  id: string | number;
  at: string;
  actor: string;
  action: string;
  subject_type?: string;
  subject_id?: string;
  details?: unknown;
}
