import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UserError } from '../schema/index.js';
import type { KeyRing, Principal, Role } from './apiKeys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route besides admin; absent = public (health, docs, dashboard). */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Bearer-key authentication and role checks, before any body is read. */
export function installAuth(app: FastifyInstance, keys: KeyRing): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      check(req, keys);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}

function check(req: FastifyRequest, keys: KeyRing): void {
  {
    const roles = req.routeOptions.config.roles;
    if (!roles) return;
    const principal = authenticate(req, keys);
    if (principal.role !== 'admin' && !roles.includes(principal.role))
      throw new UserError(
        'FORBIDDEN',
        `This API key has role ${principal.role}; ${req.method} ${req.routeOptions.url ?? ''} needs ${['admin', ...roles].join(' or ')}.`,
      );
    req.principal = principal;
  }
}

function authenticate(req: FastifyRequest, keys: KeyRing): Principal {
  const header = req.headers.authorization;
  if (!header)
    throw new UserError(
      'UNAUTHENTICATED',
      'Missing API key: send the header "Authorization: Bearer <api key>".',
    );
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw new UserError('UNAUTHENTICATED', 'Authorization header must be "Bearer <api key>".');
  const p = keys.authenticate(m[1]);
  if (!p) throw new UserError('UNAUTHENTICATED', 'Unknown or revoked API key.');
  return p;
}

/** The caller, for audit entries: the key's id and name, never the key. */
export const actorOf = (req: FastifyRequest): string =>
  req.principal ? `${req.principal.name} (${req.principal.key_id})` : 'anonymous';
