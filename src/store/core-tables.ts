import type { Generated } from 'kysely';

/**
 * Row shapes of the core tables. Times are epoch milliseconds (bigint in PostgreSQL, parsed to
 * number); structured values are JSON text so one schema works on SQLite and PostgreSQL.
 */
export interface EventsTable {
  id: string;
  account_id: string;
  ts: string;
  ts_ms: number;
  body: string;
  received_at: number;
}

/** A stored event the rebuild could not use, moved out of `events` with the reason. */
export interface EventQuarantineTable {
  id: string;
  account_id: string;
  ts: string;
  body: string;
  received_at: number;
  /** A reject reason code (as ingest gives) or `unusable` when the engine could not take it. */
  reason: string;
  message: string;
  quarantined_at: number;
}

export interface AccountsTable {
  account_id: string;
  record: string;
  updated_at: number;
}

export interface FindingsSnapshotsTable {
  id: Generated<number>;
  generated_at: string;
  created_at: number;
  body: string;
}

export interface CasesTable {
  id: string;
  subject_type: string;
  subject_id: string;
  title: string;
  status: string;
  assignee: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface CaseCommentsTable {
  id: string;
  case_id: string;
  author: string;
  body: string;
  created_at: number;
}

export interface DecisionsTable {
  account_id: string;
  action: string;
  reason: string;
  source: string;
  scope: string;
  cluster_id: string | null;
  expires_at: number | null;
  updated_at: number;
  updated_by: string;
  /** 1 when the gateway should embed canaries for this account. */
  watch: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  details: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface WebhooksTable {
  id: string;
  url: string;
  secret: string;
  events: string;
  active: number;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface DeadLettersTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  event_type: string;
  payload: string;
  attempts: number;
  last_error: string;
  created_at: number;
}

export interface BenignReferenceTable {
  account_id: string;
  reason: string;
  case_id: string | null;
  created_at: number;
}

export interface CoreDatabase {
  events: EventsTable;
  event_quarantine: EventQuarantineTable;
  accounts: AccountsTable;
  findings_snapshots: FindingsSnapshotsTable;
  cases: CasesTable;
  case_comments: CaseCommentsTable;
  decisions: DecisionsTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeysTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  dead_letters: DeadLettersTable;
  benign_reference: BenignReferenceTable;
}
