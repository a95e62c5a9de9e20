// What the server's read API answers and the dashboard reads (docs/api.md). The server builds
// these, declares them as its routes' response schemas (the OpenAPI document), and the dashboard
// takes its types from here, so the two cannot drift apart. Views the server assembles itself are
// strict: a field added on one side and not here fails test/server-api.test.ts.
import { z } from 'zod';
import { AccountRecord } from './account.js';
import { RequestParams } from './event.js';
import { AccountFinding, ClusterFinding, Level, Signal } from './findings.js';

const Count = z.int().min(0);

/**
 * A list answer: `next` is the opaque cursor of the following page, null on the last; `total`
 * (additive) how many items the whole list has, where the server knows it without a count query.
 */
export const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), next: z.string().nullable(), total: Count.optional() });
export interface Page<T> {
  items: T[];
  next: string | null;
  total?: number;
}

/** One hour of traffic: all events, and on the overview those of flagged accounts. */
export const TimelineBucket = z.strictObject({ t: z.string(), events: Count, flagged: Count.optional() });
export type TimelineBucket = z.infer<typeof TimelineBucket>;

const LevelCounts = z.record(Level, Count);

/** GET /v1/overview */
export const Overview = z.strictObject({
  events: Count,
  accounts: Count,
  from: z.string().nullable(),
  to: z.string().nullable(),
  levels: LevelCounts,
  clusters: z.strictObject({ total: Count, byLevel: LevelCounts }),
  /** When detection last refreshed the findings. */
  generated_at: z.string(),
  timeline: z.array(TimelineBucket),
});
export type Overview = z.infer<typeof Overview>;

/** GET /v1/clusters items: a cluster with its account id list replaced by its size. */
export const ClusterSummary = ClusterFinding.omit({ account_ids: true }).extend({ size: Count });
export type ClusterSummary = z.infer<typeof ClusterSummary>;

export const GraphNode = z.strictObject({ id: z.string(), level: Level, score: z.number(), events: Count });
export type GraphNode = z.infer<typeof GraphNode>;

/** `kind` joins the kinds one pair shares with '+' (`payment_fingerprint+template`). */
export const GraphEdge = z.strictObject({
  source: z.string(),
  target: z.string(),
  kind: z.string(),
  weight: z.number(),
});
export type GraphEdge = z.infer<typeof GraphEdge>;

/** A cluster's linkage graph; `truncated` when only its highest-scoring members are shown. */
export const ClusterGraph = z.strictObject({
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  truncated: z.boolean(),
});
export type ClusterGraph = z.infer<typeof ClusterGraph>;

/** GET /v1/clusters/:id */
export const ClusterDetail = z.strictObject({
  cluster: ClusterFinding,
  graph: ClusterGraph,
  timeline: z.array(TimelineBucket),
});
export type ClusterDetail = z.infer<typeof ClusterDetail>;

/** One recent event of an account: its last user message, shortened. */
export const AccountSample = z.strictObject({
  id: z.string(),
  ts: z.string(),
  model: z.string(),
  prompt: z.string(),
  params: RequestParams.nullable(),
});
export type AccountSample = z.infer<typeof AccountSample>;

/** GET /v1/accounts/:id */
export const AccountDetail = z.strictObject({
  account: AccountFinding,
  record: AccountRecord.nullable(),
  samples: z.array(AccountSample),
});
export type AccountDetail = z.infer<typeof AccountDetail>;

/** GET /v1/signals items: a signal with the account or cluster it fired on. */
export const SignalItem = Signal.extend({
  subject_type: z.enum(['account', 'cluster']),
  subject_id: z.string(),
});
export type SignalItem = z.infer<typeof SignalItem>;

/** GET /v1/audit items, newest first. */
export const AuditEntry = z.strictObject({
  id: z.int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject_type: z.string(),
  subject_id: z.string(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
