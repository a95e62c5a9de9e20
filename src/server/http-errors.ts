import type { FastifyError, FastifyInstance } from 'fastify';
import { isUserError, type UserErrorCode } from '../contracts/index.js';

const STATUS: Partial<Record<UserErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  BAD_SIGNATURE: 401,
  FORBIDDEN: 403,
  POLICY_REFUSED: 403,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
  STREAM_FULL: 503,
  UPSTREAM_UNAVAILABLE: 502,
};

export const statusOfUserError = (code: UserErrorCode): number => STATUS[code] ?? 400;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: { code, message, ...(details !== undefined ? { details } : {}) },
});

/**
 * Every error leaves as `{error:{code,message}}` with a 4xx/5xx status. Client mistakes get a
 * message that says what to fix; server faults are logged (name and stack only, never request
 * content) and answered without internals.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isUserError(err))
      return reply.status(statusOfUserError(err.code)).send(body(err.code, err.message, err.details));
    const status = err.statusCode ?? 500;
    if (status === 413)
      return reply
        .status(413)
        .send(
          body('PAYLOAD_TOO_LARGE', `${err.message}. Send smaller batches (see docs/api.md for limits).`),
        );
    if (status === 415)
      return reply
        .status(415)
        .send(
          body('UNSUPPORTED_MEDIA_TYPE', `${err.message}. Use application/json or application/x-ndjson.`),
        );
    if (status === 429) return reply.status(429).send(body('RATE_LIMITED', err.message));
    if (err.validation) return reply.status(400).send(body('INVALID_INPUT', err.message));
    // Backstop for text the routes' checks missed: PostgreSQL refusing a NUL (22021) or an
    // unconvertible character (22P05) can only come from the request's text.
    if (err.code === '22021' || err.code === '22P05')
      return reply
        .status(400)
        .send(
          body(
            'INVALID_INPUT',
            'The request holds text the store cannot keep (NUL or an unpaired surrogate).',
          ),
        );
    if (status >= 400 && status < 500) return reply.status(status).send(body('INVALID_INPUT', err.message));
    req.log.error({ err: { type: err.name, code: err.code, stack: stackFrames(err) } }, 'request failed');
    return reply
      .status(500)
      .send(body('INTERNAL', `Internal error (request ${req.id}); the server log has details.`));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(
        body('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0] ?? ''}; see GET /openapi.json.`),
      ),
  );
}

/** The stack without its first line: messages can quote request content, frames cannot. */
function stackFrames(err: Error): string | undefined {
  return err.stack?.split('\n').slice(1).join('\n');
}
