import type { FastifyInstance } from 'fastify';
import { TAXII_MEDIA } from '../../contracts/index.js';
import { appendHubAudit, deleteHubObjects, queryHubObjects } from '../../store/index.js';
import { RESTRICTED_TLPS } from '../access.js';
import { objectNotFound, type HubContext } from '../hub-context.js';
import { parseObjectQuery, versionMode } from '../object-filters.js';
import { publishEnvelope } from '../publish.js';
import { isTaxiiContentType, sendTaxii, taxiiError } from '../taxii-media.js';
import type { ObjectRequest } from './object-page.js';

/** TAXII 2.1 writes: add objects (§5.4 POST, signed) and delete an object (§5.6, publisher only). */
export function objectWriteRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    const { db } = ctx;
    app.delete(`/${ctx.root}/collections/:cid/objects/:oid/`, async (req: ObjectRequest, reply) => {
      const access = await ctx.guard(req, reply, req.params.cid, 'write');
      if (!access) return reply;
      const member = ctx.memberOf(req);
      const parsed = parseObjectQuery(req.query, ctx.maxPage);
      if (!parsed.ok) return taxiiError(reply, 400, 'Bad filter', parsed.message, 'BAD_FILTER');
      const mode = versionMode(parsed.filters.versions);
      const found = await queryHubObjects(db, {
        collectionId: req.params.cid,
        readerGroups: access.memberGroups,
        restrictedTlps: RESTRICTED_TLPS,
        objectId: req.params.oid!,
        versions: parsed.filters.versions.length ? mode : { mode: 'all' },
        limit: 10_000,
      });
      if (!found.rows.length) return objectNotFound(reply, req.params.oid);
      if (found.rows.some((r) => r.publisher !== member.name))
        return taxiiError(
          reply,
          403,
          'Forbidden',
          'Only the member that published an object may delete it.',
          'FORBIDDEN',
        );
      const n = await deleteHubObjects(
        db,
        req.params.cid,
        req.params.oid!,
        found.rows.map((r) => r.version),
      );
      await appendHubAudit(db, {
        actor: member.name,
        action: 'delete',
        detail: { collection: req.params.cid, object: req.params.oid, versions: n },
      });
      return reply.code(200).header('content-type', TAXII_MEDIA).send();
    });

    app.post<{ Params: { cid: string } }>(`/${ctx.root}/collections/:cid/objects/`, async (req, reply) => {
      if (!isTaxiiContentType(req.headers['content-type']))
        return taxiiError(
          reply,
          415,
          'Unsupported media type',
          `POST objects as ${TAXII_MEDIA}.`,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      const access = await ctx.guard(req, reply, req.params.cid, 'write');
      if (!access) return reply;
      const member = ctx.memberOf(req);
      const sig = req.headers['x-distillguard-signature'];
      const r = await publishEnvelope(
        db,
        member,
        req.params.cid,
        access,
        req.body,
        Array.isArray(sig) ? sig[0] : sig,
        ctx.maxObjectsPerPost,
      );
      if (!r.ok) {
        await appendHubAudit(db, {
          actor: member.name,
          action: 'publish.refused',
          detail: { collection: req.params.cid, code: r.code },
        });
        return taxiiError(reply, r.http, r.title, r.description, r.code, r.details);
      }
      return sendTaxii(reply.code(202), r.status);
    });
    done();
  };
}
