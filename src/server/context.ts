import type { AccountRecord, ApiEvent, QuarantineRecord } from '../contracts/index.js';
import type { CaseService, DecisionBook, WebhookDispatcher } from '../respond/index.js';
import type { CoreDb } from '../store/index.js';
import type { KeyRing } from './api-keys.js';
import type { LiveDetection } from '../pipeline/index.js';

export interface ServiceLimits {
  /** Largest ingest request body as sent (compressed or not). */
  ingestBytes: number;
  /** Largest ingest body after gzip decompression. */
  ingestDecodedBytes: number;
  /** Largest JSON body on other routes. */
  jsonBytes: number;
  /** Requests per minute per API key (or per address when unauthenticated). */
  ratePerMinute: number;
  /** Requests per minute per key on GET /v1/decisions/:account_id (enforcement hot path). */
  decisionRatePerMinute: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  ingestBytes: 16 * 1024 * 1024,
  ingestDecodedBytes: 64 * 1024 * 1024,
  jsonBytes: 256 * 1024,
  ratePerMinute: 1200,
  decisionRatePerMinute: 600_000,
};

/** Where ingested records are also published (the scale-out stream), when configured. */
export interface EventBus {
  publishEvents(events: readonly ApiEvent[]): Promise<void>;
  publishAccounts(records: readonly AccountRecord[]): Promise<void>;
  /** Lines ingest rejected: the workers quarantine them and count them in rejected_lines. */
  publishRejected(records: readonly QuarantineRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Everything a route needs, built once by the service. */
export interface ServiceContext {
  db: CoreDb;
  live: LiveDetection;
  decisions: DecisionBook;
  cases: CaseService;
  webhooks: WebhookDispatcher;
  keys: KeyRing;
  limits: ServiceLimits;
  bus?: EventBus;
}
