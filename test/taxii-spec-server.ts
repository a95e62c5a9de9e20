import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal TAXII 2.1 server that implements only what the specification defines (discovery,
 * API root, collections, objects GET with added_after / limit / next), and nothing of the
 * DistillGuard hub's extensions: any other path is a 404 with a TAXII error body. For testing
 * that DistillGuard's client works against a standard server.
 */
export interface SpecTaxiiServer {
  /** The API root URL, ending in a slash. */
  apiRoot: string;
  collectionId: string;
  /** Paths requested, in order (without the query). */
  requests: string[];
  close(): Promise<void>;
}

const MEDIA = 'application/taxii+json;version=2.1';

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': MEDIA, ...headers });
  res.end(JSON.stringify(body));
};
const error = (res: ServerResponse, status: number, title: string) =>
  send(res, status, { title, http_status: String(status) });

interface Stored {
  object: Record<string, unknown>;
  dateAdded: string;
}

/** GET objects/: a page from `next`, else after `added_after`, at most `maxPage` long. */
function objectsPage(res: ServerResponse, url: URL, stored: readonly Stored[], maxPage: number): void {
  const limit = Math.min(Number(url.searchParams.get('limit') ?? maxPage) || maxPage, maxPage);
  const next = url.searchParams.get('next');
  const addedAfter = url.searchParams.get('added_after');
  let start = 0;
  if (next !== null) {
    start = Number(next);
    if (!Number.isInteger(start) || start < 0 || start > stored.length) return error(res, 400, 'Bad next');
  } else if (addedAfter !== null) {
    const after = Date.parse(addedAfter);
    if (Number.isNaN(after)) return error(res, 400, 'Bad added_after');
    start = stored.findIndex((s) => Date.parse(s.dateAdded) > after);
    if (start < 0) start = stored.length;
  }
  const page = stored.slice(start, start + limit);
  const more = start + limit < stored.length;
  const headers: Record<string, string> = page.length
    ? {
        'X-TAXII-Date-Added-First': page[0]!.dateAdded,
        'X-TAXII-Date-Added-Last': page.at(-1)!.dateAdded,
      }
    : {};
  return send(
    res,
    200,
    {
      more,
      ...(more ? { next: String(start + limit) } : {}),
      ...(page.length ? { objects: page.map((s) => s.object) } : {}),
    },
    headers,
  );
}

export async function startSpecTaxiiServer(opts: {
  objects: Record<string, unknown>[];
  /** Page size the server imposes whatever the client asks. */
  maxPage?: number;
  apiKey?: string;
}): Promise<SpecTaxiiServer> {
  const collectionId = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';
  const maxPage = opts.maxPage ?? 3;
  // Each object gets a distinct date_added, one millisecond apart, in list order.
  const stored = opts.objects.map((o, i) => ({
    object: o,
    dateAdded: new Date(Date.UTC(2026, 10, 20, 0, 0, 0, i)).toISOString(),
  }));
  const requests: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return error(res, 401, 'Unauthorized');
    if (req.method !== 'GET') return error(res, 405, 'Method not allowed');
    const p = url.pathname;
    if (p === '/taxii2/')
      return send(res, 200, { title: 'spec-only TAXII', default: '/api1/', api_roots: ['/api1/'] });
    if (p === '/api1/')
      return send(res, 200, { title: 'api1', versions: [MEDIA], max_content_length: 1_000_000 });
    if (p === '/api1/collections/')
      return send(res, 200, {
        collections: [
          { id: collectionId, title: 'shared', can_read: true, can_write: false, media_types: [MEDIA] },
        ],
      });
    if (p === `/api1/collections/${collectionId}/`)
      return send(res, 200, { id: collectionId, title: 'shared', can_read: true, can_write: false });
    if (p === `/api1/collections/${collectionId}/objects/`) return objectsPage(res, url, stored, maxPage);
    return error(res, 404, 'Not found');
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}/api1/`,
    collectionId,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
