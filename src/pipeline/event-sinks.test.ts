import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import { HttpEventSink, SinkRejectedBatch } from './event-sinks.js';

interface Received {
  url: string;
  encoding: string | undefined;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in server that records each request and answers with `answer`. */
async function server(answer: (r: Received) => { status: number; body: unknown }) {
  const got: Received[] = [];
  const s = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      const r = {
        url: req.url ?? '',
        encoding,
        body: (encoding === 'gzip' ? gunzipSync(raw) : raw).toString(),
      };
      got.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  servers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, got };
}

const event = (id: string): ApiEvent => ({
  id,
  ts: '2026-11-22T10:00:00Z',
  account_id: 'acct-1',
  model: 'm',
  request: { messages: [{ role: 'user', content: 'hi' }] },
});
const account: AccountRecord = { account_id: 'acct-1', created_at: '2026-11-01T00:00:00Z' };

describe('HttpEventSink', () => {
  it('posts events and accounts as NDJSON, gzip-compressed when asked', async () => {
    const s = await server(() => ({ status: 202, body: { accepted: 1, rejected: 0, errors: [] } }));
    const sink = new HttpEventSink(`${s.url}/`, 'k', { gzip: true });
    await sink.write([event('a'), event('b')]);
    await sink.writeAccounts([account]);
    expect(s.got.map((r) => [r.url, r.encoding])).toEqual([
      ['/v1/events', 'gzip'],
      ['/v1/accounts', 'gzip'],
    ]);
    expect(
      s.got[0]!.body.trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as ApiEvent).id),
    ).toEqual(['a', 'b']);
    expect(JSON.parse(s.got[1]!.body)).toEqual(account);
  });

  it('says which events the server refused, and refuses account records the server refused', async () => {
    const s = await server((r) => ({
      status: 202,
      body: {
        accepted: 1,
        rejected: 1,
        errors: [{ line: 2, reason: 'invalid_field', message: r.url }],
      },
    }));
    const sink = new HttpEventSink(s.url, undefined);
    expect(await sink.write([event('a'), event('b')])).toEqual({
      rejected: [{ index: 1, reason: 'invalid_field', message: '/v1/events' }],
    });
    await expect(sink.writeAccounts([account, account])).rejects.toBeInstanceOf(SinkRejectedBatch);
    expect(sink.rejected).toBe(2);
  });
});
