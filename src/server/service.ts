import type { FastifyInstance } from 'fastify';
import { DetectionEngine } from '../findings/index.js';
import {
  CanaryGenerator,
  CanaryRegistry,
  CaseService,
  DecisionBook,
  loadResponsePolicy,
  WebhookDispatcher,
  type DecisionChange,
  type LoadedPolicy,
  type WebhookDispatcherOptions,
} from '../respond/index.js';
import { holdsScaleWorkers, openCoreStore, resolveDatabaseTarget, type CoreDb } from '../store/index.js';
import {
  DEFAULT_TOPOLOGY,
  NatsEventSink,
  serveMetrics,
  type MetricsServer,
  type ScaleTopology,
} from '../pipeline/index.js';
import { UserError, type CanaryBanks, type DetectConfigInput } from '../contracts/index.js';
import { KeyRing } from './api-keys.js';
import { buildApp, type AppOptions } from './app.js';
import { DEFAULT_LIMITS, type ServiceContext, type ServiceLimits } from './context.js';
import type { EngineFactory, FindingsEngine } from '../pipeline/index.js';
import { LiveDetection } from '../pipeline/index.js';
import { StoredFindingsEngine } from './stored-findings.js';
import { DEFAULT_GUARDRAIL_SETTINGS, Guardrails, type GuardrailSettings } from './guardrails.js';
import { ServeMetrics, serveHealth } from './serve-metrics.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineThreadAvailable, WorkerEngine } from '../pipeline/index.js';
import { InProcessIngest, type EventIngest } from './event-ingest.js';
import { DEFAULT_INGEST_THREAD, IngestThread, type IngestThreadOptions } from './ingest-thread-client.js';
import { ingestThreadAvailable } from './ingest-thread-protocol.js';

export interface StartServiceOptions {
  /** PostgreSQL or `sqlite:` URL; default DISTILLGUARD_DATABASE_URL, else SQLite under dataDir. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** PostgreSQL schema (tests, tenants). */
  databaseSchema?: string | undefined;
  policyPath?: string | undefined;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  engine?: FindingsEngine | EngineFactory;
  /** Detection settings of the built-in engine (the `analyze` flags; default DetectConfig's). */
  config?: DetectConfigInput;
  /** Demo mode: create an admin key now and inject it into the dashboard for local browsers. */
  demo?: boolean;
  /** A known admin key to install (e.g. from DISTILLGUARD_ADMIN_KEY); stored hashed. */
  adminKey?: string | undefined;
  limits?: Partial<ServiceLimits>;
  logger?: AppOptions['logger'];
  webDist?: string | undefined;
  minRefreshMs?: number;
  webhookOptions?: WebhookDispatcherOptions;
  /** Also publish ingested events and accounts to this NATS JetStream server (scale-out workers). */
  nats?: string | undefined;
  natsTopology?: ScaleTopology;
  /** Guardrail webhooks (`--guardrail-*` flags). */
  guardrails?: Partial<GuardrailSettings>;
  /**
   * Canaries the guardrail webhooks plant in watched accounts' answers, where a contract lets a
   * hook rewrite the answer (`--canary-*` flags; none without a secret). The registry defaults to
   * `guardrail-canaries.ndjson` beside the guardrail spool.
   */
  guardrailCanaries?: GuardrailCanaryOptions | undefined;
  /**
   * serve's ingest thread: its queue bound and restart wait, or `false` to read and store events on
   * the API thread. Used where its compiled entry exists, the store is a file or PostgreSQL, and
   * there is no `--nats` stream.
   */
  ingestThread?: Partial<IngestThreadOptions> | false;
}

export interface RunningService {
  app: FastifyInstance;
  url: string;
  ctx: ServiceContext;
  /** An admin key created at this start (first start, or demo); shown once, never stored in clear. */
  createdKey: string | null;
  /** The counters `/metrics` shows. */
  metrics: ServeMetrics;
  /**
   * Serves `/metrics` and `/healthz` on a listener of their own (no API key); closed with the
   * service. Rejects with Node's listen error when the address cannot be used.
   */
  serveMetrics(port: number, host?: string): Promise<MetricsServer>;
  /** Settles when detection state is rebuilt from the store (the server already answers meanwhile). */
  ready: Promise<{ events: number; accounts: number }>;
  close(): Promise<void>;
}

const CHANGES_PER_WEBHOOK = 500;

/** Opens the store, rebuilds detection state from it, and serves the API and dashboard. */
export async function startService(opts: StartServiceOptions = {}): Promise<RunningService> {
  const db = await openCoreStore({
    url: opts.databaseUrl,
    dataDir: opts.dataDir,
    schema: opts.databaseSchema,
    backgroundCheckpoints: true,
  });
  try {
    if (!opts.nats && (await holdsScaleWorkers(db)))
      throw new UserError(
        'INVALID_CONFIG',
        'this database holds the state and findings of scale-out workers: run serve with --nats and the workers’ --stream, --subject-prefix and --partitions to show their findings, or give serve a database of its own',
      );
    return await assemble(db, opts);
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

async function assemble(db: CoreDb, opts: StartServiceOptions): Promise<RunningService> {
  const limits: ServiceLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const policy: LoadedPolicy = loadResponsePolicy(opts.policyPath);
  const { keys, createdKey } = await loadKeys(db, opts);
  const { decisions, webhooks } = await openDecisions(db, policy, opts);
  const engine = await chooseEngine(db, opts);

  // The app's logger is created with the app; detection logs through it once it exists.
  const live: LiveDetection = new LiveDetection({
    db,
    engine,
    decisions,
    minRefreshMs: opts.minRefreshMs,
    ...(engine instanceof StoredFindingsEngine ? { pollEveryMs: 5000, readOnly: true } : {}),
  });
  const cases = openCases(db, decisions, live, webhooks);
  // Each ingest call returns once JetStream has the records.
  const sink = opts.nats
    ? await NatsEventSink.connect(opts.nats, opts.natsTopology ?? DEFAULT_TOPOLOGY)
    : undefined;
  const metrics = new ServeMetrics();
  live.onScoringRound = (seconds, ok) => metrics.scoringRound(seconds, ok);
  const ingest = openIngest({ db, live, metrics, limits, sink }, opts);
  const ctx: ServiceContext = {
    db,
    live,
    metrics,
    ingest,
    decisions,
    cases,
    webhooks,
    keys,
    limits,
    ...(sink ? { sink } : {}),
  };
  let onRecordError: (err: Error, context: string) => void = () => undefined;
  ctx.guardrails = openGuardrails(ctx, opts, (err, context) => onRecordError(err, context));
  let app: FastifyInstance;
  let url: string;
  try {
    app = await buildApp(ctx, {
      logger: opts.logger,
      webDist: opts.webDist,
      demoKey: opts.demo ? (createdKey ?? undefined) : undefined,
    });
    live.useLogger(app.log);
    onRecordError = (err, context) =>
      app.log.warn({ err: { type: err.name, message: err.message } }, context);
    if (ingest instanceof IngestThread)
      ingest.onFailure = (err) =>
        app.log.error({ err: { type: err.name, message: err.message } }, 'ingest thread failed');
    // Listen first: enforcement reads stored decisions and ingest stores events while detection rebuilds.
    url = await listen(app, opts);
  } catch (err) {
    // A library caller (tests, an embedding process) keeps running: close what was opened.
    await ctx.guardrails.close();
    await ingest.close();
    await live.stop();
    await sink?.close();
    throw err;
  }

  webhooks.start();
  const sweep = setInterval(() => void decisions.sweepExpired().catch(() => undefined), 30_000);
  sweep.unref();

  const ready = rebuildFromStore(app, live, opts);

  return runningService({ app, url, ctx, createdKey, metrics, ready, sweep, db, live, webhooks, sink });
}

/** The running service's handle: its URL, its metrics listeners, and an orderly close. */
function runningService(parts: {
  app: FastifyInstance;
  url: string;
  ctx: ServiceContext;
  createdKey: string | null;
  metrics: ServeMetrics;
  ready: Promise<{ events: number; accounts: number }>;
  sweep: NodeJS.Timeout;
  db: CoreDb;
  live: LiveDetection;
  webhooks: WebhookDispatcher;
  sink: NatsEventSink | undefined;
}): RunningService {
  const { app, url, ctx, createdKey, metrics, ready, sweep, db, live, webhooks, sink } = parts;
  let closed = false;
  const metricsServers: MetricsServer[] = [];
  return {
    app,
    url,
    ctx,
    createdKey,
    metrics,
    async serveMetrics(port, host = '0.0.0.0') {
      const server = await serveMetrics(
        {
          metrics: () => Promise.resolve(metrics.render(live)),
          health: () => serveHealth(app, db, live, ctx.ingest),
        },
        port,
        host,
      );
      metricsServers.push(server);
      return server;
    },
    ready,
    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => undefined);
      clearInterval(sweep);
      // Probes see 503 from here on: the API stops listening before the metrics port closes.
      await app.close();
      for (const m of metricsServers.splice(0)) await m.close();
      await ctx.guardrails?.close();
      await ctx.ingest.close();
      await live.stop();
      await webhooks.stop();
      await sink?.close();
      await db.destroy();
    },
  };
}

/**
 * serve's ingest thread where it can run: its compiled entry exists (the built server), the store
 * takes a second connection (a SQLite file in WAL mode, or PostgreSQL), and no --nats stream needs
 * every event on this thread. Elsewhere events are read and stored here, by the same code.
 */
function openIngest(
  deps: {
    db: CoreDb;
    live: LiveDetection;
    metrics: ServeMetrics;
    limits: ServiceLimits;
    sink: NatsEventSink | undefined;
  },
  opts: StartServiceOptions,
): EventIngest {
  const target = resolveDatabaseTarget({ url: opts.databaseUrl, dataDir: opts.dataDir });
  const threaded =
    opts.ingestThread !== false &&
    !deps.sink &&
    ingestThreadAvailable() &&
    (target.dialect === 'postgres' || target.location !== ':memory:');
  if (!threaded) return new InProcessIngest({ ...deps, maxDecodedBytes: deps.limits.ingestDecodedBytes });
  return new IngestThread(
    deps,
    {
      database: {
        url: target.dialect === 'postgres' ? target.location : `sqlite:${target.location}`,
        schema: opts.databaseSchema,
        poolSize: INGEST_POOL_SIZE,
      },
      maxDecodedBytes: deps.limits.ingestDecodedBytes,
    },
    { ...DEFAULT_INGEST_THREAD, ...(opts.ingestThread || {}) },
  );
}

/** The ingest thread's PostgreSQL connections (batches it stores at once). */
const INGEST_POOL_SIZE = 4;

/** The decision book and the webhooks it tells of every change (in chunks). */
async function openDecisions(db: CoreDb, policy: LoadedPolicy, opts: StartServiceOptions) {
  const decisions = await DecisionBook.open(db, policy);
  const webhooks = new WebhookDispatcher(db, opts.webhookOptions);
  await webhooks.load();
  decisions.onChange(async (changes) => {
    for (let i = 0; i < changes.length; i += CHANGES_PER_WEBHOOK)
      await webhooks.emit('decision.changed', {
        changes: changes.slice(i, i + CHANGES_PER_WEBHOOK).map(changeBody),
      });
  });
  return { decisions, webhooks };
}

/** Cases, whose subjects resolve against the live findings and whose events go to webhooks. */
function openCases(
  db: CoreDb,
  decisions: DecisionBook,
  live: LiveDetection,
  webhooks: WebhookDispatcher,
): CaseService {
  return new CaseService({
    db,
    decisions,
    subjects: {
      clusterMembers: (id) => live.view.cluster(id)?.account_ids ?? null,
      clusterOf: (id) => live.view.clusterOf(id),
    },
    onBenign: (ids) => live.addBenign(ids),
    onEvent: async (type, c) => void (await webhooks.emit(type, { case: c })),
  });
}

/** The key ring, with an admin key created now when this is a demo or nobody could log in. */
async function loadKeys(db: CoreDb, opts: StartServiceOptions) {
  const keys = await KeyRing.load(db);
  let createdKey: string | null = null;
  if (opts.adminKey) await keys.installConfiguredAdmin(opts.adminKey);
  if (opts.demo) createdKey = (await keys.create('demo', 'admin')).key;
  else if (keys.size === 0) createdKey = (await keys.create('bootstrap admin', 'admin')).key;
  return { keys, createdKey };
}

/**
 * Built server: scoring in a worker thread, so the API never waits for it. Sources (tests): in
 * process. With --nats, scale-out workers detect; the server shows the findings they store.
 */
async function chooseEngine(db: CoreDb, opts: StartServiceOptions): Promise<FindingsEngine> {
  const engineOpt =
    opts.engine ??
    (opts.nats
      ? () => new StoredFindingsEngine(db)
      : () => (engineThreadAvailable() ? new WorkerEngine(opts.config) : new DetectionEngine(opts.config)));
  return typeof engineOpt === 'function' ? await engineOpt() : engineOpt;
}

/**
 * Exchanges the guardrail webhooks record spool in the SQLite store's data dir while the store
 * cannot take them; with PostgreSQL, which creates no data dir, in the temp dir.
 */
function openGuardrails(
  ctx: ServiceContext,
  opts: StartServiceOptions,
  onRecordError: (err: Error, context: string) => void,
): Guardrails {
  const sqlite = resolveDatabaseTarget({ url: opts.databaseUrl, dataDir: opts.dataDir }).dialect === 'sqlite';
  const dir = sqlite && opts.dataDir ? opts.dataDir : join(tmpdir(), 'distillguard-guardrails');
  const c = opts.guardrailCanaries;
  const canary = c
    ? {
        generator: new CanaryGenerator(c.secret, undefined, c.banks),
        registry: new CanaryRegistry(resolve(c.registry ?? join(dir, 'guardrail-canaries.ndjson'))),
        rate: c.rate ?? 0.5,
        recordPrompts: c.recordPrompts ?? true,
      }
    : undefined;
  return new Guardrails(
    ctx,
    { ...DEFAULT_GUARDRAIL_SETTINGS, ...opts.guardrails },
    dir,
    onRecordError,
    canary,
  );
}

/** What `serve --canary-*` asks of the guardrail webhooks. */
export interface GuardrailCanaryOptions {
  secret: string;
  /** Share of watched answers that carry a canary, (0, 1]; default 0.5 (as the gateway's). */
  rate?: number;
  registry?: string;
  banks?: CanaryBanks;
  recordPrompts?: boolean;
}

/** Listens and returns the URL a local client reaches the service at. */
async function listen(app: FastifyInstance, opts: StartServiceOptions): Promise<string> {
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 8080);
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Rebuilds detection state from the store, then starts live detection; a failure is logged. */
function rebuildFromStore(
  app: FastifyInstance,
  live: LiveDetection,
  opts: StartServiceOptions,
): Promise<{ events: number; accounts: number }> {
  const ready = live.replay().then((replayed) => {
    app.log.info(
      {
        events: replayed.events,
        accounts: replayed.accounts,
        store: resolveDatabaseTarget({ url: opts.databaseUrl, dataDir: opts.dataDir }).dialect,
      },
      'state rebuilt from store',
    );
    live.start();
    return replayed;
  });
  ready.catch((err: unknown) => {
    const e = err as Error;
    app.log.error(
      { err: { type: e.name, stack: e.stack?.split('\n').slice(1).join('\n') } },
      'rebuild from store failed',
    );
  });
  return ready;
}

const changeBody = (c: DecisionChange) => ({
  account_id: c.account_id,
  action: c.current.action,
  previous_action: c.previous.action,
  source: c.current.source,
  scope: c.current.scope,
  cluster_id: c.current.cluster_id,
  reason: c.current.reason,
  expires_at: c.current.expires_at,
  watch: c.current.watch,
});
