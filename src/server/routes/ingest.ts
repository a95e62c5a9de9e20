import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { insertEvents, upsertAccounts } from '../../store/index.js';
import type { ServiceContext } from '../context.js';
import {
  decodeBody,
  dedupeById,
  parseAccountBatch,
  parseEventBatch,
  rejectedRecords,
  type LineError,
  type ParsedBatch,
} from '../ingest-body.js';
import { UserError, type ApiEvent } from '../../contracts/index.js';

const MAX_ERRORS_LISTED = 1000;
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

/** The request's bytes, decoded (gzip) within the decoded-size bound. */
async function readBatchBody(ctx: ServiceContext, req: FastifyRequest): Promise<Buffer> {
  if (!Buffer.isBuffer(req.body))
    throw new UserError('INVALID_INPUT', 'Body is empty; send NDJSON (one event per line) or a JSON array.');
  const enc = req.headers['content-encoding'] as unknown;
  return decodeBody(req.body, typeof enc === 'string' ? enc : undefined, ctx.limits.ingestDecodedBytes);
}

async function ingestEvents(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply) {
  const body = await readBatchBody(ctx, req);
  const batch = await parseEventBatch(body);
  if (batch.items.length === 0) ctx.metrics.ingested('POST /v1/events', { rejected: batch.errors.length });
  refuseIfNothingValid(batch.items.length, batch.errors);
  const { unique, fresh, duplicates } = await storeEventBatch(ctx, 'POST /v1/events', body, batch);
  await ctx.live.backpressure();
  req.log.info(
    {
      accepted: fresh.length,
      duplicates: duplicates + unique.length - fresh.length,
      rejected: batch.errors.length,
    },
    'events ingested',
  );
  return reply.status(202).send({
    accepted: fresh.length,
    duplicates: duplicates + unique.length - fresh.length,
    rejected: batch.errors.length,
    errors: batch.errors.slice(0, MAX_ERRORS_LISTED),
    ...(batch.errors.length > MAX_ERRORS_LISTED ? { errors_truncated: true } : {}),
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

/**
 * Stores a parsed batch of events the one way every producer's events are stored (this route, the
 * guardrail webhooks): durably by id, to the scale-out stream when configured, into live detection;
 * rejected lines are counted and quarantined.
 */
export async function storeEventBatch(
  ctx: ServiceContext,
  route: string,
  body: Buffer,
  batch: ParsedBatch<ApiEvent>,
): Promise<{ unique: ApiEvent[]; fresh: ApiEvent[]; duplicates: number }> {
  const { unique, raw, duplicates } = dedupeById(batch);
  const inserted = new Set(await insertEvents(ctx.db, unique, { raw }));
  const fresh = unique.filter((e) => inserted.has(e.id));
  // Scale-out: every valid event, re-sent ones too (a retry after a failed publish must
  // reach the stream); stream and workers de-duplicate by id.
  await ctx.sink?.write(unique);
  // Scale-out: the workers count rejected lines, as batch analyze counts bad input lines.
  await ctx.sink?.writeRejected?.(rejectedRecords(route, body, batch));
  ctx.live.addEvents(fresh);
  ctx.live.countRejected(batch.errors.length);
  ctx.metrics.ingested(route, {
    accepted: fresh.length,
    duplicates: duplicates + unique.length - fresh.length,
    rejected: batch.errors.length,
  });
  return { unique, fresh, duplicates };
}

function refuseIfNothingValid(valid: number, errors: LineError[]): void {
  if (valid > 0 || errors.length === 0) return;
  throw new UserError(
    'INVALID_INPUT',
    `No valid record in the body (${errors.length} rejected; first: ${errors[0]?.message ?? ''}). Nothing was stored.`,
    { rejected: errors.length, errors: errors.slice(0, MAX_ERRORS_LISTED) },
  );
}
