import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import {
  CounterVec,
  Exposition,
  Histogram,
  HistogramVec,
  processFamilies,
  type HealthReport,
  type LiveDetection,
} from '../pipeline/index.js';
import type { CoreDb } from '../store/index.js';
import type { EventIngest } from './event-ingest.js';

/** Seconds: API calls take milliseconds (decisions from memory) to seconds (a large ingest body). */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: an in-process scoring round takes milliseconds to minutes with the population. */
const SCORING_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** A database that does not answer `select 1` in this long is as good as down for a probe. */
const DB_PING_MS = 2000;

const statusClass = (code: number) => `${Math.floor(code / 100)}xx`;

/**
 * What `serve` counts for its `/metrics`: ingest outcomes, decision lookups, HTTP requests and
 * scoring rounds. Counted always (a few additions per request); exposed only with --metrics-port.
 */
export class ServeMetrics {
  private readonly events = new CounterVec();
  private readonly accounts = new CounterVec();
  private readonly lookups = new CounterVec();
  private readonly requests = new CounterVec();
  private readonly latency = new HistogramVec(HTTP_BUCKETS);
  private readonly scoring = new Histogram(SCORING_BUCKETS);
  private scoringFailures = 0;
  private lastScoredAt = 0;

  /** Lines of one ingest call: `route` is the route pattern (or the guardrail integration). */
  ingested(route: string, n: { accepted?: number; duplicates?: number; rejected?: number }): void {
    for (const outcome of ['accepted', 'duplicates', 'rejected'] as const)
      if (n[outcome])
        this.events.inc({ route, outcome: outcome === 'duplicates' ? 'duplicate' : outcome }, n[outcome]);
  }

  accountsIngested(accepted: number, rejected: number): void {
    if (accepted) this.accounts.inc({ outcome: 'accepted' }, accepted);
    if (rejected) this.accounts.inc({ outcome: 'rejected' }, rejected);
  }

  decisionLookup(action: string): void {
    this.lookups.inc({ action });
  }

  scoringRound(seconds: number, ok: boolean): void {
    if (!ok) {
      this.scoringFailures++;
      return;
    }
    this.scoring.observe(seconds);
    this.lastScoredAt = Date.now();
  }

  /** Counts every answered request by route pattern (never the URL: it carries account ids). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', (req, reply, done) => {
      // Unmatched URLs (404s) share one label, so scanners cannot grow the series without bound.
      const route = req.routeOptions.url ?? 'unmatched';
      const method = req.method;
      this.requests.inc({ method, route, code: statusClass(reply.statusCode) });
      this.latency.observe({ method, route }, reply.elapsedTime / 1000);
      done();
    });
  }

  render(live: LiveDetection): string {
    const x = new Exposition();
    this.renderIngest(x);
    renderEngine(x, live);
    this.renderScoring(x);
    this.renderApi(x);
    processFamilies(x);
    return x.text();
  }

  /** What the ingest API stored, skipped and rejected. */
  private renderIngest(x: Exposition): void {
    const outcomes = (c: CounterVec, outcome: string) => c.samples().filter(([l]) => l.outcome === outcome);
    x.samples(
      'distillguard_serve_events_accepted_total',
      'counter',
      'Events the ingest API stored (new event ids), by route.',
      outcomes(this.events, 'accepted').map(([l, n]) => [{ route: l.route! }, n] as const),
    );
    x.samples(
      'distillguard_serve_events_duplicate_total',
      'counter',
      'Events the ingest API skipped because their id was already stored, by route.',
      outcomes(this.events, 'duplicate').map(([l, n]) => [{ route: l.route! }, n] as const),
    );
    x.samples(
      'distillguard_serve_events_rejected_total',
      'counter',
      'Event lines the ingest API rejected as invalid (never stored as events; quarantined with --nats), by route.',
      outcomes(this.events, 'rejected').map(([l, n]) => [{ route: l.route! }, n] as const),
    );
    x.samples(
      'distillguard_serve_accounts_total',
      'counter',
      'Account records the ingest API accepted or rejected.',
      this.accounts.samples(),
    );
  }

  /** Scoring rounds: how long, how many failed, when the last one completed. */
  private renderScoring(x: Exposition): void {
    x.family(
      'distillguard_serve_scoring_seconds',
      'histogram',
      'Duration of completed scoring rounds (with --nats: reads of the workers’ newest snapshot).',
      this.scoring.lines('distillguard_serve_scoring_seconds'),
    );
    x.one(
      'distillguard_serve_scoring_failures_total',
      'counter',
      'Scoring rounds that failed (logged; retried on the next tick).',
      this.scoringFailures,
    );
    x.one(
      'distillguard_serve_last_scoring_timestamp_seconds',
      'gauge',
      'When this process last completed a scoring round (Unix seconds; 0 never).',
      Math.floor(this.lastScoredAt / 1000),
    );
  }

  /** Decision look-ups and every API request's count and latency. */
  private renderApi(x: Exposition): void {
    x.samples(
      'distillguard_serve_decision_lookups_total',
      'counter',
      'Decisions served to enforcement points (GET /v1/decisions/:account_id), by the action answered.',
      this.lookups.samples(),
    );
    x.samples(
      'distillguard_serve_http_requests_total',
      'counter',
      'API requests answered, by method, route pattern and status class.',
      this.requests.samples(),
    );
    x.family(
      'distillguard_serve_http_request_duration_seconds',
      'histogram',
      'Time to answer an API request, by method and route pattern.',
      this.latency.lines('distillguard_serve_http_request_duration_seconds'),
    );
  }
}

/** The live engine's progress and the age of the findings it serves. */
function renderEngine(x: Exposition, live: LiveDetection): void {
  x.one(
    'distillguard_serve_engine_events_applied_total',
    'counter',
    'Events the live detection engine has taken in since start (the rebuild from the store included).',
    live.applied,
  );
  x.one(
    'distillguard_serve_engine_backlog_events',
    'gauge',
    'Events accepted but not yet applied by the engine (held during the rebuild, or queued for its thread).',
    live.backlog,
  );
  x.one(
    'distillguard_serve_engine_unscored_events',
    'gauge',
    'Events the engine has taken in that no completed scoring round covers yet.',
    live.unscored,
  );
  x.one(
    'distillguard_serve_replaying',
    'gauge',
    '1 while detection state is being rebuilt from the store at start (answers come from the last snapshot).',
    live.replaying ? 1 : 0,
  );
  const generated = Date.parse(live.view.findings.generated_at);
  const hasFindings = Number.isFinite(generated) && generated > 0;
  x.one(
    'distillguard_serve_findings_timestamp_seconds',
    'gauge',
    'When the findings served were scored (Unix seconds; 0 none yet). With --nats: the newest snapshot the workers stored.',
    hasFindings ? Math.floor(generated / 1000) : 0,
  );
  x.samples(
    'distillguard_serve_findings_age_seconds',
    'gauge',
    'Age of the findings served, in seconds (absent until the first findings).',
    hasFindings ? [[{}, Math.max(0, (Date.now() - generated) / 1000)]] : [],
  );
}

/**
 * Ready when the API listens and the database answers; the body names neither the database nor
 * any address, only which of the two is wrong.
 */
export async function serveHealth(
  app: FastifyInstance,
  db: CoreDb,
  live: LiveDetection,
  ingest: EventIngest,
): Promise<HealthReport> {
  const listening = app.server.listening;
  let database = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), DB_PING_MS))),
    ]);
    database = true;
  } catch {
    database = false;
  } finally {
    clearTimeout(timer);
  }
  // Not ready while the ingest thread restarts: ingest then fails closed with 503.
  const ingesting = ingest.state === 'in-process' || ingest.state === 'running';
  return {
    ready: listening && database && ingesting,
    body: {
      api: listening ? 'listening' : 'closed',
      database: database ? 'reachable' : 'unreachable',
      replaying: live.replaying,
      ...(ingest.state !== 'in-process' ? { ingest_thread: ingest.state } : {}),
    },
  };
}
