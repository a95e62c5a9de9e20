import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { readEnv } from '../contracts/index.js';
import { installAuth, rateLimitBucket } from './auth.js';
import type { ServiceContext } from './context.js';
import { installErrorHandlers } from './http-errors.js';
import { adminRoutes } from './routes/admin.js';
import { caseRoutes } from './routes/cases.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { decisionRoutes } from './routes/decisions.js';
import { findingsRoutes } from './routes/findings.js';
import { guardrailRoutes } from './routes/guardrails.js';
import { ingestRoutes } from './routes/ingest.js';

export interface AppOptions {
  /** `false` for silence, or a level (and a destination); logs never carry prompt text, account ids or addresses. */
  logger?: false | { level?: string; stream?: { write(line: string): void } };
  webDist?: string | undefined;
  /** Demo mode: this key is injected into the dashboard for browsers on this machine. */
  demoKey?: string | undefined;
  version?: string;
}

/**
 * Logging policy: only the method, the route *pattern* (never the URL: it carries account ids),
 * status and timing. Headers, bodies and addresses are not logged. A 404 logs no route at all.
 */
const LOGGER_DEFAULTS = {
  redact: { paths: ['req.headers', 'req.body', 'req.url', 'req.remoteAddress', 'req.ip'], remove: true },
  serializers: {
    req: (req: { method: string; routeOptions?: { url?: string } }) => ({
      method: req.method,
      route: req.routeOptions?.url,
    }),
    res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
  },
};

export async function buildApp(ctx: ServiceContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : { ...LOGGER_DEFAULTS, level: readEnv('DISTILLGUARD_LOG_LEVEL') ?? 'info', ...opts.logger },
    bodyLimit: ctx.limits.jsonBytes,
    trustProxy: false,
    routerOptions: { maxParamLength: 300 },
  });
  // Handlers validate with zod (clear messages, one source of truth); route JSON schemas are for the OpenAPI document.
  app.setValidatorCompiler(() => (data: unknown) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(app);
  ctx.metrics.instrument(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'DistillGuard API',
        version: opts.version ?? '0.1.0',
        description:
          'Ingest API traffic, read findings, run cases, set and read enforcement decisions. See docs/api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: ctx.limits.ratePerMinute,
    timeWindow: 60_000,
    // Per resolved key id (however the header is spelled), else per address; see installAuth.
    keyGenerator: rateLimitBucket,
    errorResponseBuilder: (_req, c) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit of ${c.max} requests per ${c.after} exceeded; retry later.`,
    }),
  });

  installAuth(app, ctx.keys);

  app.get('/healthz', { schema: { tags: ['meta'], summary: 'Liveness and counts' } }, () => ({
    status: ctx.live.replaying ? 'replaying' : 'ok',
    events: ctx.live.stats.events,
    findings_generated_at: ctx.live.view.findings.generated_at,
  }));
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(ingestRoutes(ctx));
  await app.register(findingsRoutes(ctx));
  await app.register(caseRoutes(ctx));
  await app.register(decisionRoutes(ctx));
  await app.register(adminRoutes(ctx));
  if (ctx.guardrails) await app.register(guardrailRoutes(ctx, ctx.guardrails));
  await app.register(dashboardRoutes({ webDist: opts.webDist, demoKey: opts.demoKey }));
  return app;
}
