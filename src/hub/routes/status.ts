import type { FastifyInstance } from 'fastify';
import { getStatus } from '../../store/index.js';
import type { HubContext } from '../hub-context.js';
import { sendTaxii, taxiiError } from '../taxii-media.js';

/** TAXII 2.1 status (§4.3): only the member that published sees it. */
export function statusRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    app.get<{ Params: { sid: string } }>(`/${ctx.root}/status/:sid/`, async (req, reply) => {
      const s = await getStatus(ctx.db, req.params.sid);
      if (!s || s.member !== ctx.memberOf(req).name)
        return taxiiError(
          reply,
          404,
          'Status not found',
          `No status ${req.params.sid} for you.`,
          'NOT_FOUND',
        );
      return sendTaxii(reply, JSON.parse(s.body) as unknown);
    });
    done();
  };
}
