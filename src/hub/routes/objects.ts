import type { FastifyInstance } from 'fastify';
import { STIX_MEDIA } from '../../contracts/index.js';
import { objectNotFound, type HubContext } from '../hub-context.js';
import { sendTaxii, sendTaxiiObjects } from '../taxii-media.js';
import { objectPage, paging, type ObjectRequest } from './object-page.js';

/** TAXII 2.1 reads: objects (§5.4), manifest (§5.3), object (§5.5) and versions (§5.7). */
export function objectRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    const base = `/${ctx.root}/collections/:cid`;

    app.get(`${base}/objects/`, async (req: ObjectRequest, reply) => {
      const p = await objectPage(ctx, req, reply, ['body']);
      if (!p) return reply;
      return sendTaxiiObjects(
        reply,
        paging(p),
        'objects',
        p.rows.map((r) => r.body),
      );
    });

    app.get(`${base}/manifest/`, async (req: ObjectRequest, reply) => {
      const p = await objectPage(ctx, req, reply, ['object_id', 'version']);
      if (!p) return reply;
      return sendTaxii(reply, {
        ...paging(p),
        ...(p.rows.length
          ? {
              objects: p.rows.map((r) => ({
                id: r.object_id,
                date_added: r.date_added,
                version: r.version,
                media_type: STIX_MEDIA,
              })),
            }
          : {}),
      });
    });

    app.get(`${base}/objects/:oid/`, async (req: ObjectRequest, reply) => {
      const p = await objectPage(ctx, req, reply, ['body']);
      if (!p) return reply;
      if (!p.rows.length) return objectNotFound(reply, req.params.oid);
      return sendTaxiiObjects(
        reply,
        paging(p),
        'objects',
        p.rows.map((r) => r.body),
      );
    });

    app.get(`${base}/objects/:oid/versions/`, async (req: ObjectRequest, reply) => {
      const p = await objectPage(ctx, req, reply, ['version'], true);
      if (!p) return reply;
      if (!p.rows.length) return objectNotFound(reply, req.params.oid);
      return sendTaxii(reply, { ...paging(p), versions: p.rows.map((r) => r.version) });
    });
    done();
  };
}
