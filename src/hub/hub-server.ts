import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { TAXII_MEDIA } from '../contracts/index.js';
import { appendHubAudit, type HubDatabase, type HubMember } from '../store/index.js';
import { HubAuthenticator } from './authenticate.js';
import { collectionGuard, type HubContext } from './hub-context.js';
import { collectionRoutes } from './routes/collections.js';
import { discoveryRoutes } from './routes/discovery.js';
import { extensionRoutes } from './routes/extensions.js';
import { objectWriteRoutes } from './routes/objects-write.js';
import { objectRoutes } from './routes/objects.js';
import { statusRoutes } from './routes/status.js';
import { DEFAULT_MAX_OBJECTS } from './publish.js';
import { acceptsTaxii, taxiiError } from './taxii-media.js';

export interface HubServerOptions {
  db: Kysely<HubDatabase>;
  apiRoot?: string;
  title?: string;
  /** Largest page a client may ask for. */
  maxPage?: number;
  maxContentLength?: number;
  /** Objects one POST may carry (default 10 000); beyond, 413 TOO_MANY_OBJECTS. */
  maxObjectsPerPost?: number;
  logger?: boolean;
  /** Failed password checks one client address may cause per minute before 429 (default 10). */
  authFailuresPerMinute?: number;
  /** Verified passwords remembered at once (default 10 000). */
  passwordCacheSize?: number;
  /** How long a verified password is trusted without scrypt, ms (default 60 000). */
  passwordCacheTtlMs?: number;
}

/** Password-check figures, for operators and tests. */
export interface HubAuthStats {
  passwordVerifications(): number;
  cachedCredentials(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    hubAuth: HubAuthStats;
  }
}

/** TAXII and STIX bodies are JSON; anything unparsable is a TAXII 400, not Fastify's own error. */
function installTaxiiBodies(app: FastifyInstance): void {
  app.addContentTypeParser(/^application\/(taxii|stix)\+json/i, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const err = new Error('The body is not JSON.') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
}

/** Every failure, including Fastify's own (size, media type, routing), as a TAXII error message. */
function installTaxiiErrors(app: FastifyInstance, maxContentLength: number): void {
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413)
      return taxiiError(
        reply,
        413,
        'Too large',
        `The body exceeds max_content_length ${maxContentLength}.`,
        'TOO_LARGE',
      );
    if (status === 415)
      return taxiiError(
        reply,
        415,
        'Unsupported media type',
        `Send ${TAXII_MEDIA}.`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    if (status < 500) return taxiiError(reply, status, 'Bad request', err.message, 'BAD_REQUEST');
    app.log.error(err);
    return taxiiError(reply, 500, 'Internal error', 'The hub failed to handle the request.', 'INTERNAL');
  });
  app.setNotFoundHandler((req, reply) =>
    taxiiError(reply, 404, 'Not found', `No resource at ${req.url}.`, 'NOT_FOUND'),
  );
}

/**
 * Authenticates every request before any route runs (failures audited, repeated ones throttled)
 * and returns how routes find the authenticated member.
 */
function installMemberAuth(
  app: FastifyInstance,
  db: Kysely<HubDatabase>,
  opts: HubServerOptions,
): (req: FastifyRequest) => HubMember {
  const hubAuth = new HubAuthenticator(db, {
    passwordCache: {
      ...(opts.passwordCacheSize !== undefined ? { maxEntries: opts.passwordCacheSize } : {}),
      ...(opts.passwordCacheTtlMs !== undefined ? { ttlMs: opts.passwordCacheTtlMs } : {}),
    },
    failureLimit: {
      ...(opts.authFailuresPerMinute !== undefined ? { failuresPerWindow: opts.authFailuresPerMinute } : {}),
    },
  });
  app.decorate('hubAuth', {
    passwordVerifications: () => hubAuth.passwordVerifications(),
    cachedCredentials: () => hubAuth.cachedCredentials(),
  });

  const members = new WeakMap<FastifyRequest, HubMember>();
  app.addHook('onRequest', async (req, reply) => {
    if (!acceptsTaxii(req.headers.accept))
      return taxiiError(
        reply,
        406,
        'Not acceptable',
        `This server answers ${TAXII_MEDIA}.`,
        'NOT_ACCEPTABLE',
      );
    const auth = await hubAuth.authenticate(req);
    if (!auth.ok) {
      if (auth.status === 401 || auth.audit)
        await appendHubAudit(db, {
          actor: 'anonymous',
          action: auth.status === 401 ? 'auth.failed' : 'auth.throttled',
          detail: { url: req.url, method: req.method },
        });
      if (auth.status === 401)
        return taxiiError(reply, 401, 'Unauthenticated', auth.reason, 'UNAUTHENTICATED');
      reply.header('retry-after', String(auth.retryAfterSeconds));
      return taxiiError(
        reply,
        auth.status,
        auth.status === 429 ? 'Too many failed logins' : 'Busy',
        auth.reason,
        auth.code,
      );
    }
    members.set(req, auth.member);
  });
  return (req) => members.get(req)!;
}

/**
 * The TAXII 2.1 hub: discovery, one API root, collections, objects (GET/POST), object, manifest,
 * versions, delete, status; plus counts of sightings for publishers and group member lists.
 * Every request is authenticated; every publish and read lands in the hash-chained audit log.
 * The routes live in `routes/`, one file per resource, and share one HubContext.
 */
export function createHubServer(opts: HubServerOptions): FastifyInstance {
  const { db } = opts;
  const root = opts.apiRoot ?? 'api1';
  const maxContentLength = opts.maxContentLength ?? 10 * 1024 * 1024;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: maxContentLength });
  installTaxiiBodies(app);
  installTaxiiErrors(app, maxContentLength);
  const memberOf = installMemberAuth(app, db, opts);
  const ctx: HubContext = {
    db,
    root,
    title: opts.title ?? 'DistillGuard sharing hub',
    maxPage: opts.maxPage ?? 1000,
    maxContentLength,
    maxObjectsPerPost: opts.maxObjectsPerPost ?? DEFAULT_MAX_OBJECTS,
    memberOf,
    guard: collectionGuard(db, root, memberOf),
  };
  void app.register(discoveryRoutes(ctx));
  void app.register(collectionRoutes(ctx));
  void app.register(objectRoutes(ctx));
  void app.register(objectWriteRoutes(ctx));
  void app.register(statusRoutes(ctx));
  void app.register(extensionRoutes(ctx));
  return app;
}
