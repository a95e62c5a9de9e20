import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { upsertAccounts } from '../../store/index.js';
import type { ServiceContext } from '../context.js';
import { MAX_ERRORS_LISTED, refuseIfNothingValid, type StoredEvents } from '../event-ingest.js';
import { decodeBody, parseAccountBatch, rejectedRecords } from '../ingest-body.js';
import { isUserError, UserError } from '../../contracts/index.js';
const BATCH_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json',
  'text/plain',
];

/** POST /v1/events and /v1/accounts: durable before 202, idempotent by id, per-line reasons. */
export function ingestRoutes(ctx: ServiceContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    // Batches are read raw (this plugin's parsers only): NDJSON is not JSON, and gzip needs the bytes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.limits.ingestBytes }, acceptBatchTypes);

    app.post(
      '/v1/events',
      {
        config: { roles: ['ingest'] },
        bodyLimit: ctx.limits.ingestBytes,
        schema: {
          tags: ['ingest'],
          summary: 'Ingest API events (NDJSON or a JSON array; Content-Encoding: gzip accepted)',
          description:
            'Each line is validated alone; valid events are stored durably (idempotent by id) before the 202. A body with no valid event is refused with 400 and changes nothing.',
        },
      },
      (req, reply) => ingestEvents(ctx, req, reply),
    );

    app.post(
      '/v1/accounts',
      {
        config: { roles: ['ingest'] },
        bodyLimit: ctx.limits.ingestBytes,
        schema: {
          tags: ['ingest'],
          summary: 'Upsert account records (NDJSON or a JSON array; gzip accepted)',
        },
      },
      (req, reply) => ingestAccounts(ctx, req, reply),
    );
    done();
  };
}

/** The content-type parser: a batch type's raw bytes, 415 for any other type. */
function acceptBatchTypes(
  req: FastifyRequest,
  body: Buffer | string,
  done: (err: Error | null, body?: unknown) => void,
): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!BATCH_TYPES.includes(type))
    return done(
      Object.assign(new Error(`Content-Type ${type || '(none)'} is not accepted here`), {
        statusCode: 415,
      }),
      undefined,
    );
  done(null, body);
}

const emptyBody = () =>
  new UserError('INVALID_INPUT', 'Body is empty; send NDJSON (one event per line) or a JSON array.');

/** The request's bytes, decoded (gzip) within the decoded-size bound. */
async function readBatchBody(ctx: ServiceContext, req: FastifyRequest): Promise<Buffer> {
  if (!Buffer.isBuffer(req.body)) throw emptyBody();
  const enc = req.headers['content-encoding'] as unknown;
  return decodeBody(req.body, typeof enc === 'string' ? enc : undefined, ctx.limits.ingestDecodedBytes);
}

async function ingestEvents(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply) {
  if (!Buffer.isBuffer(req.body)) throw emptyBody();
  const enc = req.headers['content-encoding'] as unknown;
  let stored: StoredEvents;
  try {
    stored = await ctx.ingest.events('POST /v1/events', req.body, {
      encoding: typeof enc === 'string' ? enc : undefined,
      refuseEmpty: true,
    });
  } catch (err) {
    // The ingest queue is full or its thread is restarting: worth another try soon.
    if (isUserError(err) && err.code === 'SERVICE_UNAVAILABLE') void reply.header('retry-after', '1');
    throw err;
  }
  await ctx.live.backpressure();
  req.log.info(
    { accepted: stored.accepted, duplicates: stored.duplicates, rejected: stored.rejected },
    'events ingested',
  );
  return reply.status(202).send({
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejected: stored.rejected,
    errors: stored.errors.slice(0, MAX_ERRORS_LISTED),
    ...(stored.errors.length > MAX_ERRORS_LISTED ? { errors_truncated: true } : {}),
  });
}

async function ingestAccounts(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply) {
  const body = await readBatchBody(ctx, req);
  const batch = await parseAccountBatch(body);
  if (batch.items.length === 0) ctx.metrics.accountsIngested(0, batch.errors.length);
  refuseIfNothingValid(batch.items.length, batch.errors);
  await upsertAccounts(ctx.db, batch.items);
  await ctx.sink?.writeAccounts?.(batch.items);
  await ctx.sink?.writeRejected?.(rejectedRecords('POST /v1/accounts', body, batch));
  ctx.live.addAccounts(batch.items);
  ctx.metrics.accountsIngested(batch.items.length, batch.errors.length);
  // Bad account lines count as rejected lines, as in batch analyze of an accounts file.
  ctx.live.countRejected(batch.errors.length);
  return reply.status(202).send({
    accepted: batch.items.length,
    rejected: batch.errors.length,
    errors: batch.errors.slice(0, MAX_ERRORS_LISTED),
  });
}
