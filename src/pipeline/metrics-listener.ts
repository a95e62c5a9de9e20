import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPE } from './metrics-exposition.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** What `/healthz` answers: 200 when ready, else 503, with a small JSON body. */
export interface HealthReport {
  ready: boolean;
  body: Record<string, unknown>;
}

export interface MetricsEndpoints {
  /** The Prometheus text of one scrape. */
  metrics(): Promise<string>;
  health(): HealthReport | Promise<HealthReport>;
}

/**
 * `/metrics` (Prometheus text) and `/healthz` on a listener of their own (not an API port: no
 * key, so a cluster can scrape and probe it). Listen errors reject with Node's own error (its
 * `syscall`, `code` and `port`), for the caller to explain.
 */
export async function serveMetrics(
  endpoints: MetricsEndpoints,
  port: number,
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      endpoints
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body))
        .catch((err: unknown) => res.writeHead(500).end(`${(err as Error).message}\n`));
    } else if (path === '/healthz') {
      Promise.resolve()
        .then(() => endpoints.health())
        .catch((): HealthReport => ({ ready: false, body: { status: 'unavailable' } }))
        .then((h) =>
          res
            .writeHead(h.ready ? 200 : 503, {
              'content-type': 'application/json',
              'cache-control': 'no-store',
            })
            .end(`${JSON.stringify({ status: h.ready ? 'ok' : 'unavailable', ...h.body })}\n`),
        )
        .catch(() => undefined);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; a stop must not wait for them.
        server.closeAllConnections();
      }),
  };
}
