import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAudit } from '../../store/index.js';
import { DecisionAction, DecisionScope, UserError } from '../../contracts/index.js';
import { actorOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { CursorPart, Limit, decodeCursor, encodeCursor } from '../pagination.js';
import { parseBody, parseQuery, requestSchema } from '../validation.js';

const AccountParam = z.strictObject({ account_id: z.string().min(1).max(200) });
const DecisionsQuery = z.strictObject({
  action: DecisionAction.optional(),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});
export const PutDecision = z.strictObject({
  action: DecisionAction,
  reason: z
    .string()
    .trim()
    .min(1, { error: 'reason must say why (it is shown to analysts and in the audit log)' })
    .max(1000),
  scope: DecisionScope.default('account'),
  ttl_seconds: z
    .int()
    .positive()
    .max(366 * 86_400)
    .optional(),
});

/** Decisions for enforcement points (answered from memory) and analysts' manual decisions. */
export function decisionRoutes(ctx: ServiceContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    app.get(
      '/v1/decisions/:account_id',
      {
        config: {
          roles: ['enforcement', 'analyst'],
          rateLimit: { max: ctx.limits.decisionRatePerMinute, timeWindow: 60_000 },
        },
        schema: { tags: ['decisions'], summary: 'The decision in force for an account (from memory)' },
      },
      (req) => {
        const { account_id } = parseQuery(AccountParam, req.params);
        const decision = ctx.decisions.get(account_id);
        ctx.metrics.decisionLookup(decision.action);
        return decision;
      },
    );

    app.get(
      '/v1/decisions',
      {
        config: { roles: ['enforcement', 'analyst'] },
        schema: {
          tags: ['decisions'],
          summary: 'Accounts with a decision other than the default allow',
          querystring: requestSchema(DecisionsQuery),
        },
      },
      (req) => listDecisions(ctx, parseQuery(DecisionsQuery, req.query)),
    );

    app.put(
      '/v1/decisions/:account_id',
      {
        config: { roles: ['analyst'] },
        schema: {
          tags: ['decisions'],
          summary: 'Set a manual decision for an account or its whole cluster',
          body: requestSchema(PutDecision),
        },
      },
      (req) => setManualDecision(ctx, req),
    );
    done();
  };
}

/** One page of the accounts with a decision other than allow, in account-id order. */
function listDecisions(ctx: ServiceContext, q: z.infer<typeof DecisionsQuery>) {
  const all = ctx.decisions.list(q.action);
  let start = 0;
  if (q.cursor) {
    const [after] = decodeCursor(q.cursor, [CursorPart.id]);
    start = all.findIndex((d) => d.account_id > after);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + q.limit);
  const last = items[items.length - 1];
  return { items, next: start + q.limit < all.length && last ? encodeCursor([last.account_id]) : null };
}

/** An analyst's manual decision for an account or its whole cluster, audited. */
async function setManualDecision(ctx: ServiceContext, req: FastifyRequest) {
  const { account_id } = parseQuery(AccountParam, req.params);
  const body = parseBody(PutDecision, req.body);
  const clusterId = ctx.live.view.clusterOf(account_id);
  let accounts = [account_id];
  if (body.scope === 'cluster') {
    const members = clusterId ? ctx.live.view.cluster(clusterId)?.account_ids : undefined;
    if (!clusterId || !members)
      throw new UserError('CONFLICT', `Account ${account_id} is in no cluster; use scope "account".`);
    accounts = [...members];
  }
  const actor = actorOf(req);
  await ctx.decisions.setManual({
    account_ids: accounts,
    action: body.action,
    reason: body.reason,
    scope: body.scope,
    cluster_id: clusterId,
    ttl_seconds: body.ttl_seconds,
    actor,
  });
  await appendAudit(ctx.db, {
    actor,
    action: 'decision.set',
    subject_type: body.scope,
    subject_id: body.scope === 'cluster' && clusterId ? clusterId : account_id,
    details: {
      action: body.action,
      reason: body.reason,
      accounts: accounts.length,
      ttl_seconds: body.ttl_seconds ?? null,
    },
  });
  return { ...ctx.decisions.get(account_id), accounts: accounts.length };
}
