import type { FastifyInstance } from 'fastify';
import { STIX_MEDIA } from '../../contracts/index.js';
import { allCollections } from '../../store/index.js';
import { collectionAccess } from '../access.js';
import type { HubContext } from '../hub-context.js';
import { sendTaxii } from '../taxii-media.js';

const resource = (
  c: { id: string; title: string; description: string | null },
  a: { canRead: boolean; canWrite: boolean },
) => ({
  id: c.id,
  title: c.title,
  ...(c.description ? { description: c.description } : {}),
  can_read: a.canRead,
  can_write: a.canWrite,
  media_types: [STIX_MEDIA],
});

/** TAXII 2.1 collections (§5.1) and collection (§5.2): only those the member has a grant on. */
export function collectionRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    app.get(`/${ctx.root}/collections/`, async (req, reply) => {
      const member = ctx.memberOf(req);
      const out = [];
      for (const c of await allCollections(ctx.db)) {
        const a = await collectionAccess(ctx.db, c.id, member.name);
        if (!a.canRead && !a.canWrite) continue;
        out.push(resource(c, a));
      }
      return sendTaxii(reply, out.length ? { collections: out } : {});
    });

    app.get<{ Params: { cid: string } }>(`/${ctx.root}/collections/:cid/`, async (req, reply) => {
      const a = await ctx.guard(req, reply, req.params.cid, 'see');
      if (!a) return reply;
      const c = (await allCollections(ctx.db)).find((x) => x.id === req.params.cid)!;
      return sendTaxii(reply, resource(c, a));
    });
    done();
  };
}
