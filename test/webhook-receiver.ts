import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  server: Server;
  port: number;
  /** Where to point a webhook: `http://127.0.0.1:<port>/hook`. */
  url: string;
  got: { headers: IncomingMessage['headers']; body: string }[];
  /** Answers every request held so far (for receivers that hold). */
  release(): void;
}

/**
 * A real HTTP webhook receiver on loopback that keeps what it got. It answers `status` (a number,
 * or a function asked per request; default 204); `hold` keeps every request open until release().
 */
export async function webhookReceiver(
  opts: { status?: number | (() => number); hold?: boolean } = {},
): Promise<WebhookReceiver> {
  const got: WebhookReceiver['got'] = [];
  const held: ServerResponse[] = [];
  const status =
    typeof opts.status === 'function' ? opts.status : () => (opts.status as number | undefined) ?? 204;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = status();
      if (opts.hold) held.push(res);
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/hook`,
    got,
    release: () => held.splice(0).forEach((r) => r.end()),
  };
}
