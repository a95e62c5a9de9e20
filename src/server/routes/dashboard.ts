import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const defaultWebDist = (): string => fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const escapeForScript = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');

/**
 * Serves the built dashboard at `/`. In demo mode, a browser on this machine gets an analyst key
 * injected into the page (window.__DISTILLGUARD__) so it can call the API without a login;
 * anyone else gets the page without a key.
 */
export function dashboardRoutes(opts: { webDist?: string | undefined; demoKey?: string | undefined }) {
  return async (app: FastifyInstance): Promise<void> => {
    const dist = opts.webDist ?? defaultWebDist();
    const indexPath = `${dist.replace(/\/$/, '')}/index.html`;
    if (!existsSync(indexPath)) {
      app.get('/', { schema: { hide: true } }, async (_req, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><title>DistillGuard</title><p>The dashboard is not built. Run <code>npm run build:web</code>, or use the API (<a href="/openapi.json">/openapi.json</a>).</p>',
          ),
      );
      return;
    }
    const index = readFileSync(indexPath, 'utf8');
    const page = (req: FastifyRequest) =>
      opts.demoKey && LOOPBACK.has(req.socket.remoteAddress ?? '')
        ? index.replace(
            '</head>',
            `<script>window.__DISTILLGUARD__={apiKey:${escapeForScript(opts.demoKey)}};</script></head>`,
          )
        : index;
    await app.register(fastifyStatic, { root: dist, prefix: '/', index: false, wildcard: true, serve: true });
    const send = async (req: FastifyRequest, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(req));
    app.get('/', { schema: { hide: true } }, send);
    app.get('/index.html', { schema: { hide: true } }, send);
  };
}
