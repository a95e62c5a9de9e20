import type { CaseService, DecisionBook, WebhookDispatcher } from '../respond/index.js';
import type { CoreDb } from '../store/index.js';
import type { KeyRing } from './api-keys.js';
import type { EventIngest } from './event-ingest.js';
import type { Guardrails } from './guardrails.js';
import type { ServeMetrics } from './serve-metrics.js';
import type { EventSink, LiveDetection } from '../pipeline/index.js';

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

/** Everything a route needs, built once by the service. */
export interface ServiceContext {
  db: CoreDb;
  live: LiveDetection;
  decisions: DecisionBook;
  cases: CaseService;
  webhooks: WebhookDispatcher;
  keys: KeyRing;
  limits: ServiceLimits;
  /** What `/metrics` on the metrics port shows (counted always). */
  metrics: ServeMetrics;
  /** Where bodies of events are read, stored and handed to detection (serve's ingest thread, or here). */
  ingest: EventIngest;
  /** Where ingested records also go (the scale-out stream, `serve --nats`), when configured. */
  sink?: EventSink;
  /** Guardrail webhooks for other gateways (Portkey, kgateway, Aperture); set by the service. */
  guardrails?: Guardrails;
}
