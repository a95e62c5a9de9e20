import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CasePatch, CaseStatus, NewCase, NewComment } from '../../respond/index.js';
import { actorOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { Limit } from '../pagination.js';
import { parseBody, parseQuery, requestSchema } from '../validation.js';

const CasesQuery = z.strictObject({
  status: CaseStatus.optional(),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});
const IdParam = z.strictObject({ id: z.string().min(1).max(200) });

/** Cases: open from a cluster or account, assign, comment, change status; all audited. */
export function caseRoutes(ctx: ServiceContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    const analyst = { config: { roles: ['analyst'] as const } };

    app.get(
      '/v1/cases',
      {
        ...analyst,
        schema: { tags: ['cases'], summary: 'Cases, newest first', querystring: requestSchema(CasesQuery) },
      },
      async (req) => {
        const q = parseQuery(CasesQuery, req.query);
        return ctx.cases.list({ status: q.status, limit: q.limit, cursor: q.cursor });
      },
    );

    app.post(
      '/v1/cases',
      {
        ...analyst,
        schema: {
          tags: ['cases'],
          summary: 'Open a case on a cluster or an account',
          body: requestSchema(NewCase),
        },
      },
      async (req, reply) => {
        const input = parseBody(NewCase, req.body);
        return reply.status(201).send(await ctx.cases.create(actorOf(req), input));
      },
    );

    app.get(
      '/v1/cases/:id',
      { ...analyst, schema: { tags: ['cases'], summary: 'A case with its comments' } },
      async (req) => {
        const { id } = parseQuery(IdParam, req.params);
        const { case: c, comments } = await ctx.cases.get(id);
        return { ...c, comments };
      },
    );

    app.patch(
      '/v1/cases/:id',
      {
        ...analyst,
        schema: {
          tags: ['cases'],
          summary: 'Change status, assignee or title',
          body: requestSchema(CasePatch),
        },
      },
      async (req) => {
        const { id } = parseQuery(IdParam, req.params);
        return ctx.cases.update(actorOf(req), id, parseBody(CasePatch, req.body));
      },
    );

    app.post(
      '/v1/cases/:id/comments',
      {
        ...analyst,
        schema: { tags: ['cases'], summary: 'Comment on a case', body: requestSchema(NewComment) },
      },
      async (req, reply) => {
        const { id } = parseQuery(IdParam, req.params);
        const { body } = parseBody(NewComment, req.body);
        return reply.status(201).send(await ctx.cases.comment(actorOf(req), id, body));
      },
    );
    done();
  };
}
