import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UserError } from '../contracts/index.js';
import type { KeyRing, Principal, Role } from './api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route besides admin; absent = public (health, docs, dashboard). */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Bearer-key authentication and role checks, before any body is read. The key is resolved first
 * (onRequest, never throwing) so the rate limiter, a route-level onRequest hook that runs after it,
 * buckets by the resolved key id, and by address when there is no valid key: failed attempts are
 * counted too. The refusal itself comes in preParsing, still before the body is read.
 */
export function installAuth(app: FastifyInstance, keys: KeyRing): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', (req, _reply, done) => {
    const c = credentialOf(req.headers.authorization);
    req.principal = 'key' in c ? keys.authenticate(c.key) : null;
    done();
  });
  app.addHook('preParsing', (req, _reply, payload, done) => {
    try {
      check(req);
      done(null, payload);
    } catch (err) {
      done(err as Error);
    }
  });
}

/** The rate limiter's bucket: the resolved key id, else the client address. */
export const rateLimitBucket = (req: FastifyRequest): string =>
  req.principal ? `key:${req.principal.key_id}` : `ip:${req.ip}`;

function credentialOf(header: string | undefined): { key: string } | { error: string } {
  if (!header) return { error: 'Missing API key: send the header "Authorization: Bearer <api key>".' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return { error: 'Authorization header must be "Bearer <api key>".' };
  return { key: m[1] };
}

function check(req: FastifyRequest): void {
  const roles = req.routeOptions.config.roles;
  if (!roles) return;
  const principal = req.principal;
  if (!principal) {
    const c = credentialOf(req.headers.authorization);
    throw new UserError('UNAUTHENTICATED', 'error' in c ? c.error : 'Unknown or revoked API key.');
  }
  if (principal.role !== 'admin' && !roles.includes(principal.role))
    throw new UserError(
      'FORBIDDEN',
      `This API key has role ${principal.role}; ${req.method} ${req.routeOptions.url ?? ''} needs ${['admin', ...roles].join(' or ')}.`,
    );
}

/** The caller, for audit entries: the key's id and name, never the key. */
export const actorOf = (req: FastifyRequest): string =>
  req.principal ? `${req.principal.name} (${req.principal.key_id})` : 'anonymous';
