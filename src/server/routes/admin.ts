import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { failureClass, parseNewWebhook, policyMitigations } from '../../respond/index.js';
import { appendAudit, listAudit, listDeadLetters } from '../../store/index.js';
import { AuditEntry, UserError, page, type Page } from '../../contracts/index.js';
import { Role } from '../api-keys.js';
import { actorOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { CursorPart, Limit, decodeCursor, encodeCursor } from '../pagination.js';
import { parseBody, parseQuery, refuseUnstorableText, responseSchema } from '../validation.js';

const AuditQuery = z.strictObject({ limit: Limit, cursor: z.string().max(500).optional() });
const NewKey = z.strictObject({ name: z.string().trim().min(1).max(100), role: Role });
/** The `:id` of a webhook or an API key. */
const IdParam = z.strictObject({ id: z.string().min(1).max(200) });
const WebhookPatch = z.strictObject({ active: z.boolean() });

const ADMIN = { config: { roles: [] as const } };
/** An admin-only route's options, documented under `admin`. */
const adminRoute = (summary: string) => ({ ...ADMIN, schema: { tags: ['admin'], summary } });
/** Records an admin change in the audit log, as made by the key of `req`. */
const auditAdmin = (
  ctx: ServiceContext,
  req: FastifyRequest,
  entry: { action: string; subject_type: 'webhook' | 'api_key'; subject_id: string; details?: unknown },
) => appendAudit(ctx.db, { actor: actorOf(req), ...entry });
/** A list the server holds whole: one page, no cursor. */
const wholeList = <T>(items: T[]) => ({ items, next: null });

/** Policy (read), audit log, webhooks and API keys. */
export function adminRoutes(ctx: ServiceContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    policyAndAuditRoutes(app, ctx);
    webhookRoutes(app, ctx);
    deadLetterRoutes(app, ctx);
    keyRoutes(app, ctx);
    done();
  };
}

/** GET /v1/policy and /v1/audit. */
function policyAndAuditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/policy',
    {
      config: { roles: ['analyst', 'enforcement'] },
      schema: { tags: ['policy'], summary: 'The active policy: YAML as written and parsed' },
    },
    () => {
      const p = ctx.decisions.policy;
      return {
        source: p.source,
        yaml: p.yaml,
        policy: p.policy,
        atlas_mitigations: policyMitigations(p.policy),
      };
    },
  );

  app.get(
    '/v1/audit',
    {
      ...ADMIN,
      schema: {
        tags: ['admin'],
        summary: 'Audit log, newest first',
        response: { 200: responseSchema(page(AuditEntry)) },
      },
    },
    async (req): Promise<Page<AuditEntry>> => {
      const q = parseQuery(AuditQuery, req.query);
      let before: number | undefined;
      if (q.cursor) [before] = decodeCursor(q.cursor, [CursorPart.position]);
      const rows = await listAudit(ctx.db, q.limit + 1, before);
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      return { items, next: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
    },
  );
}

/** Webhooks. */
function webhookRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/webhooks', adminRoute('Registered webhooks (secrets never shown)'), () =>
    wholeList(ctx.webhooks.list()),
  );

  app.post('/v1/webhooks', adminRoute('Register a webhook {url, secret, events}'), async (req, reply) => {
    if (req.body === undefined || req.body === null)
      throw new UserError('INVALID_INPUT', 'Missing JSON body {url, secret, events}.');
    const input = parseNewWebhook(req.body);
    refuseUnstorableText(input);
    const hook = await ctx.webhooks.register(input);
    await auditAdmin(ctx, req, {
      action: 'webhook.create',
      subject_type: 'webhook',
      subject_id: hook.id,
      details: { events: hook.events },
    });
    return reply.status(201).send(hook);
  });

  app.patch(
    '/v1/webhooks/:id',
    adminRoute('Disable or re-enable a webhook {active: boolean}'),
    async (req) => {
      const { id } = parseQuery(IdParam, req.params);
      const { active } = parseBody(WebhookPatch, req.body);
      const hook = await ctx.webhooks.setActive(id, active);
      if (!hook) throw new UserError('NOT_FOUND', `No webhook ${id}.`);
      await auditAdmin(ctx, req, {
        action: active ? 'webhook.enable' : 'webhook.disable',
        subject_type: 'webhook',
        subject_id: id,
      });
      return hook;
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    adminRoute('Delete a webhook and its queued deliveries'),
    async (req, reply) => {
      const { id } = parseQuery(IdParam, req.params);
      if (!(await ctx.webhooks.remove(id))) throw new UserError('NOT_FOUND', `No webhook ${id}.`);
      await auditAdmin(ctx, req, {
        action: 'webhook.delete',
        subject_type: 'webhook',
        subject_id: id,
      });
      return reply.status(204).send();
    },
  );
}

/** Webhook deliveries that gave up, their failure reduced to a class. */
function deadLetterRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/dead-letters', adminRoute('Webhook deliveries that kept failing'), async () =>
    wholeList(
      (await listDeadLetters(ctx.db)).map((d) => ({
        id: d.id,
        webhook_id: d.webhook_id,
        event_type: d.event_type,
        attempts: d.attempts,
        last_error: failureClass(d.last_error),
        created_at: new Date(d.created_at).toISOString(),
        payload: JSON.parse(d.payload) as unknown,
      })),
    ),
  );
}

/** API keys. */
function keyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/keys', adminRoute('API keys (ids, names, roles; never the keys)'), () =>
    wholeList(ctx.keys.list()),
  );

  app.post('/v1/keys', adminRoute('Create an API key; the key is shown once'), async (req, reply) => {
    const input = parseBody(NewKey, req.body);
    const created = await ctx.keys.create(input.name, input.role);
    await auditAdmin(ctx, req, {
      action: 'key.create',
      subject_type: 'api_key',
      subject_id: created.key_id,
      details: { role: created.role, name: created.name },
    });
    return reply.status(201).send(created);
  });

  app.delete('/v1/keys/:id', adminRoute('Revoke an API key'), async (req, reply) => {
    const { id } = parseQuery(IdParam, req.params);
    if (!(await ctx.keys.revoke(id))) throw new UserError('NOT_FOUND', `No active API key ${id}.`);
    await auditAdmin(ctx, req, {
      action: 'key.revoke',
      subject_type: 'api_key',
      subject_id: id,
    });
    return reply.status(204).send();
  });
}
