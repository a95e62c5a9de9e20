import type { FastifyInstance } from 'fastify';
import { TAXII_MEDIA } from '../../contracts/index.js';
import type { HubContext } from '../hub-context.js';
import { sendTaxii } from '../taxii-media.js';

/** TAXII 2.1 discovery (§4.1) and the one API root (§4.2). */
export function discoveryRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    app.get('/taxii2/', async (req, reply) => {
      const base = `${req.protocol}://${req.host}`;
      return sendTaxii(reply, {
        title: ctx.title,
        description: 'TAXII 2.1 hub for adversarial-distillation intelligence',
        default: `${base}/${ctx.root}/`,
        api_roots: [`${base}/${ctx.root}/`],
      });
    });

    app.get(`/${ctx.root}/`, async (_req, reply) =>
      sendTaxii(reply, {
        title: ctx.title,
        versions: [TAXII_MEDIA],
        max_content_length: ctx.maxContentLength,
      }),
    );
    done();
  };
}
