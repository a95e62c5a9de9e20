import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const defaultWebDist = (): string => fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Whether a Host header names this machine's loopback on `port` (127.0.0.1, localhost, [::1]). */
export function isLoopbackHost(host: string | undefined, port: number | undefined): boolean {
  if (!host || port === undefined) return false;
  const h = host.toLowerCase();
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  // Browsers leave the port out when it is the scheme's default.
  return names.some((n) => h === `${n}:${port}` || (port === 80 && h === n));
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** The build holds a handful of files; more is not a dashboard build. */
const MAX_ASSETS = 500;
const MAX_ASSET_DEPTH = 4;

/**
 * The built files to serve, read once: each becomes one exact route, so no request path ever
 * reaches the file system (nothing to traverse, alias or race). Hashed names under assets/ are
 * immutable.
 */
function builtFiles(dist: string): { route: string; file: string; type: string }[] {
  const found: { route: string; file: string; type: string }[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_ASSET_DEPTH) return;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, d.name);
      if (d.isDirectory()) walk(file, depth + 1);
      else if (d.isFile() && found.length < MAX_ASSETS) {
        const route = `/${path.relative(dist, file).split(path.sep).map(encodeURIComponent).join('/')}`;
        const type = CONTENT_TYPES[path.extname(d.name).toLowerCase()];
        if (type && route !== '/index.html') found.push({ route, file, type });
      }
    }
  };
  walk(dist, 0);
  return found;
}

const escapeForScript = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');

/**
 * Serves the built dashboard at `/`. In demo mode, a browser on this machine gets an analyst key
 * injected into the page (window.__DISTILLGUARD__) so it can call the API without a login;
 * anyone else gets the page without a key, and a page asked for under another Host name (DNS
 * rebinding) is refused with 403.
 */
export function dashboardRoutes(opts: { webDist?: string | undefined; demoKey?: string | undefined }) {
  // Fastify awaits a plugin's promise; nothing here waits on anything.
  return (app: FastifyInstance): Promise<void> => {
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
      return Promise.resolve();
    }
    const index = readFileSync(indexPath, 'utf8');
    const page = (req: FastifyRequest) =>
      opts.demoKey && LOOPBACK.has(req.socket.remoteAddress ?? '')
        ? index.replace(
            '</head>',
            `<script>window.__DISTILLGUARD__={apiKey:${escapeForScript(opts.demoKey)}};</script></head>`,
          )
        : index;
    for (const asset of builtFiles(dist)) {
      const body = readFileSync(asset.file);
      const cache = asset.route.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      app.get(asset.route, { schema: { hide: true } }, async (_req, reply) =>
        reply.type(asset.type).header('cache-control', cache).send(body),
      );
    }
    const send = async (req: FastifyRequest, reply: FastifyReply) => {
      // DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 reaches
      // this server from a loopback socket, but its Host header still names attacker.example.
      // The demo key goes only to the loopback names of the port it listens on.
      if (opts.demoKey && !isLoopbackHost(req.headers.host, req.socket.localPort))
        return reply
          .status(403)
          .header('cache-control', 'no-store')
          .send({
            error: {
              code: 'FORBIDDEN',
              message: `The demo dashboard is served only as http://127.0.0.1:${req.socket.localPort ?? ''}/ or http://localhost:${req.socket.localPort ?? ''}/.`,
            },
          });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(req));
    };
    app.get('/', { schema: { hide: true } }, send);
    app.get('/index.html', { schema: { hide: true } }, send);
    return Promise.resolve();
  };
}
