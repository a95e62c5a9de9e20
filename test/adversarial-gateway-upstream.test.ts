/**
 * "Hold under attack" (3, 4b): the gateway must not be jammed by an upstream that hangs or a
 * client that leaves or stops reading, and every exchange must still be recorded. Real loopback
 * HTTP servers play the upstream; real sockets play the clients. Client-side timeouts below are
 * liveness bounds so a regression fails instead of hanging, not timing assertions.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountResolver,
  DecisionCache,
  EventRecorder,
  Gateway,
  StaticDecisionSource,
  type GatewayOptions,
} from '../src/gateway/index.js';
import { CallbackSink } from '../src/pipeline/index.js';
import type { ApiEvent } from '../src/contracts/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface FakeUpstream {
  url: string;
  /** Requests the upstream received. */
  received: number;
  /** Responses whose connection went away before the upstream finished them. */
  abandoned: number;
  /** Set once a streaming answer met backpressure (the gateway stopped reading). */
  blocked: number;
}

/** A real HTTP server on loopback; `handle` decides how it misbehaves. */
async function fakeUpstream(
  handle: (req: IncomingMessage, res: ServerResponse, body: string, up: FakeUpstream) => void,
): Promise<FakeUpstream> {
  const up: FakeUpstream = { url: '', received: 0, abandoned: 0, blocked: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      up.received++;
      res.on('close', () => {
        if (!res.writableFinished) up.abandoned++;
      });
      handle(req, res, body, up);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return up;
}

interface Harness {
  url: string;
  events: ApiEvent[];
  gateway: Gateway;
}

async function harness(
  upstream: string,
  opts: Omit<GatewayOptions, 'upstream' | 'decisions' | 'accounts' | 'recorder'> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-gw-up-'));
  const events: ApiEvent[] = [];
  const recorder = new EventRecorder({
    sink: new CallbackSink((batch) => void events.push(...batch)),
    spoolPath: join(dir, 'spool.ndjson'),
    flushIntervalMs: 20,
    drainIntervalMs: 100_000,
  });
  const gateway = new Gateway({
    upstream,
    decisions: new DecisionCache(new StaticDecisionSource([])),
    accounts: new AccountResolver({ trustAccountHeader: true }),
    recorder,
    ...opts,
  });
  const port = await gateway.listen(0);
  cleanups.push(() => gateway.close());
  return { url: `http://127.0.0.1:${port}`, events, gateway };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'demo-1',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** A client that can walk away: raw node:http so the test controls the socket. */
function rawPost(url: string, body: unknown): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const req = httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-account-id': 'acct-x' },
  });
  req.on('error', () => {});
  const response = new Promise<IncomingMessage>((r) => req.on('response', r));
  req.end(JSON.stringify(body));
  return { req, response };
}

async function post(url: string, body: unknown) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-account-id': 'acct-x' },
    body: JSON.stringify(body),
    headersTimeout: 8000,
    bodyTimeout: 8000,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The `data:` payloads of an SSE body, with their event names. */
function sseEvents(text: string): { event?: string; data: string }[] {
  return text
    .split(/\n\n/)
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const lines = b.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return event ? { event, data } : { data };
    });
}

const chunk = (content: string) =>
  `data: ${JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content } }],
  })}\n\n`;

/**
 * Streams `count` chunks (the i-th is `piece(i)`) as fast as the reader takes them, then `end`;
 * a response whose writes back up counts once in `up.blocked`.
 */
function streamWithBackpressure(
  res: ServerResponse,
  up: FakeUpstream,
  count: number,
  piece: (i: number) => string,
  end = 'data: [DONE]\n\n',
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let sent = 0;
  let flagged = false;
  const pump = (): void => {
    while (sent < count) {
      if (!res.write(piece(sent++))) {
        if (!flagged) {
          flagged = true;
          up.blocked++;
        }
        res.once('drain', pump);
        return;
      }
    }
    res.end(end);
  };
  pump();
}

describe('an upstream that hangs cannot hold the gateway', () => {
  it('answers 504 upstream_timeout when the upstream never sends headers, and records the exchange', async () => {
    const up = await fakeUpstream(() => {});
    const h = await harness(up.url, { upstreamHeadersTimeoutMs: 300 });
    const res = await post(`${h.url}/v1/chat/completions`, chat('hang before headers'));
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_timeout', type: 'api_error' } });
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ status: 504 });
    expect(String((h.events[0]!.gateway as { upstream_error?: string }).upstream_error)).toContain('headers');
    await waitFor(() => up.abandoned === 1);
  });

  it('ends a stream that goes silent with an OpenAI-shaped error event, and records the partial answer with the failure', async () => {
    const up = await fakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('Partial '));
      // ...and then nothing, forever.
    });
    const h = await harness(up.url, { upstreamIdleTimeoutMs: 300 });
    const res = await post(`${h.url}/v1/chat/completions`, chat('hang mid-stream', { stream: true }));
    expect(res.status).toBe(200);
    const events = sseEvents(res.text);
    expect(res.text).not.toContain('[DONE]');
    const last = JSON.parse(events.at(-1)!.data) as { error?: Record<string, unknown> };
    expect(last.error).toMatchObject({ code: 'upstream_timeout', type: 'api_error', param: null });
    expect(typeof last.error?.message).toBe('string');
    await waitFor(() => h.events.length === 1);
    const ev = h.events[0]!;
    expect(ev.response?.text).toBe('Partial ');
    expect(String((ev.gateway as { upstream_error?: string }).upstream_error)).toContain('idle');
    await waitFor(() => up.abandoned === 1);
  });

  it('ends a Responses stream whose upstream breaks with an `event: error`, and records it', async () => {
    const up = await fakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `event: response.output_text.delta\ndata: ${JSON.stringify({
          type: 'response.output_text.delta',
          delta: 'Half an ',
          sequence_number: 4,
        })}\n\n`,
      );
      // A partial event, then the upstream dies.
      res.write('event: response.output_text.delta\ndata: {"type":"respo');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const h = await harness(up.url);
    const res = await post(`${h.url}/v1/responses`, { model: 'demo-1', input: 'break', stream: true });
    const events = sseEvents(res.text);
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toMatchObject({
      type: 'error',
      code: 'upstream_interrupted',
      param: null,
      sequence_number: 5,
    });
    // The client never sees the torn half event: one whole delta, then the error.
    expect(events.map((e) => e.event)).toEqual(['response.output_text.delta', 'error']);
    for (const e of events) expect(() => JSON.parse(e.data) as unknown).not.toThrow();
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response?.text).toBe('Half an ');
    expect((h.events[0]!.gateway as { upstream_error?: string }).upstream_error).toBeTruthy();
  });

  it('answers 504 when a whole (non-streamed) answer stalls halfway, and records it', async () => {
    const up = await fakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Half');
    });
    const h = await harness(up.url, { upstreamIdleTimeoutMs: 300 });
    const res = await post(`${h.url}/v1/chat/completions`, chat('stall the body'));
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_timeout' } });
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ status: 504 });
  });
});

describe('a client that leaves releases the upstream, and is recorded', () => {
  it('a client that leaves before the upstream headers aborts the upstream request', async () => {
    const up = await fakeUpstream(() => {});
    const h = await harness(up.url, { upstreamHeadersTimeoutMs: 60_000 });
    const c = rawPost(`${h.url}/v1/chat/completions`, chat('leave early'));
    await waitFor(() => up.received === 1);
    c.req.destroy();
    await waitFor(() => up.abandoned === 1);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ client_aborted: true });
  });

  it('pool-size + 2 clients that leave before headers do not jam the pool: the next client is answered', async () => {
    const up = await fakeUpstream((_req, res, body) => {
      if (body.includes('hang')) return;
      const answer = JSON.stringify({
        id: 'ok',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
    const h = await harness(up.url, { upstreamConnections: 3, upstreamHeadersTimeoutMs: 60_000 });
    const leavers = Array.from({ length: 5 }, () => rawPost(`${h.url}/v1/chat/completions`, chat('hang')));
    await waitFor(() => up.received === 3);
    for (const c of leavers) c.req.destroy();
    await waitFor(() => up.abandoned === 3);
    const res = await post(`${h.url}/v1/chat/completions`, chat('answer me'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('fine');
    await waitFor(() => h.events.length === 6);
    expect(h.events.filter((e) => (e.gateway as { client_aborted?: boolean }).client_aborted)).toHaveLength(
      5,
    );
  });

  it('clients that stop reading a large stream and disconnect are all recorded, and the upstream is released', async () => {
    const piece = chunk('x'.repeat(16 * 1024));
    // Bounded: 64 MiB is far more than the loopback buffers hold.
    const up = await fakeUpstream((_req, res, _body, self) =>
      streamWithBackpressure(res, self, 4096, () => piece),
    );
    const h = await harness(up.url, { upstreamIdleTimeoutMs: 60_000 });
    const clients = Array.from({ length: 3 }, () =>
      rawPost(`${h.url}/v1/chat/completions`, chat('a long answer please', { stream: true })),
    );
    for (const c of clients) (await c.response).pause(); // take the headers, then stop reading
    await waitFor(() => up.blocked === 3, 15_000); // the gateway is stuck writing to them
    for (const c of clients) c.req.destroy();
    await waitFor(() => h.events.length === 3);
    for (const ev of h.events) expect(ev.gateway).toMatchObject({ client_aborted: true });
    await waitFor(() => up.abandoned === 3);
  });

  it('a stream whose model is silent after its headers gets the headers to the client at once', async () => {
    let release = (): void => {};
    const released = new Promise<void>((r) => (release = r));
    const up = await fakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      void released.then(() => res.end(`${chunk('late')}data: [DONE]\n\n`));
    });
    const h = await harness(up.url);
    cleanups.push(() => Promise.resolve(release())); // ends the upstream first should the test fail
    const c = rawPost(`${h.url}/v1/chat/completions`, chat('think first', { stream: true }));
    // Answered with 200 while the upstream has sent no event yet (the wait is a liveness bound).
    const response = await Promise.race([
      c.response,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no headers')), 5000)),
    ]);
    expect(response.statusCode).toBe(200);
    expect(h.events).toHaveLength(0);
    release();
    let text = '';
    response.setEncoding('utf8');
    for await (const s of response) text += s as string;
    expect(sseEvents(text).map((e) => e.data)).toContain('[DONE]');
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response?.text).toBe('late');
  });

  it('a client that pauses reading a large stream, then reads on, gets every event, and the whole answer is recorded', async () => {
    const pieces = 512;
    const up = await fakeUpstream((_req, res, _body, self) =>
      streamWithBackpressure(
        res,
        self,
        pieces,
        (i) => chunk(`${String(i).padStart(4, '0')}${'z'.repeat(16 * 1024)}`),
        `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
      ),
    );
    const h = await harness(up.url, { upstreamIdleTimeoutMs: 30_000 });
    const c = rawPost(`${h.url}/v1/chat/completions`, chat('a long answer, read slowly', { stream: true }));
    const response = await c.response;
    response.pause();
    // The gateway stops reading the upstream while its client does not read (backpressure)...
    await waitFor(() => up.blocked > 0, 15_000);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (s: string) => (text += s));
    const ended = new Promise((r) => response.once('end', r));
    response.resume(); // ...and carries on once it does.
    await ended;
    const events = sseEvents(text);
    const content = events
      .filter((e) => e.data !== '[DONE]')
      .map(
        (e) =>
          (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content ??
          '',
      )
      .join('');
    const expected = Array.from(
      { length: pieces },
      (_, i) => `${String(i).padStart(4, '0')}${'z'.repeat(16 * 1024)}`,
    ).join('');
    expect(content).toBe(expected);
    expect(events.at(-1)!.data).toBe('[DONE]');
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).not.toHaveProperty('client_aborted');
    expect(h.events[0]!.response?.finish_reason).toBe('stop');
    // The event keeps the first 64 KiB of the answer, exactly as served.
    expect(h.events[0]!.response?.text).toBe(expected.slice(0, 64 * 1024));
    expect(up.abandoned).toBe(0);
  });

  it('a client that stops reading and stays connected is cut off after the idle timeout, recorded', async () => {
    const piece = chunk('y'.repeat(16 * 1024));
    const up = await fakeUpstream((_req, res, _body, self) =>
      streamWithBackpressure(res, self, 4096, () => piece),
    );
    const h = await harness(up.url, { upstreamIdleTimeoutMs: 300 });
    const c = rawPost(`${h.url}/v1/chat/completions`, chat('then I stall', { stream: true }));
    const response = await c.response;
    response.pause();
    let aborted = false;
    response.on('error', () => (aborted = true));
    // The stall shows only once the loopback socket buffers are full: about 2 s of writing at
    // idle, more on a loaded machine (5 s was not always enough under CI's load).
    await waitFor(() => h.events.length === 1, 30_000);
    expect(h.events[0]!.gateway).toMatchObject({ client_aborted: true, client_stalled: true });
    await waitFor(() => up.abandoned === 1);
    // The gateway hung up: what the client finally reads ends early, not with the whole answer.
    const closed = new Promise((r) => response.once('close', r));
    response.resume();
    await closed;
    expect(aborted).toBe(true);
    expect(response.complete).toBe(false);
  });
});

describe('pool exhaustion answers quickly', () => {
  it('answers 503 gateway_overloaded with Retry-After when every upstream connection is busy, and records it', async () => {
    const up = await fakeUpstream(() => {});
    const h = await harness(up.url, {
      upstreamConnections: 2,
      upstreamQueue: 1,
      upstreamQueueWaitMs: 200,
      upstreamHeadersTimeoutMs: 60_000,
    });
    const holders = [0, 1].map(() => rawPost(`${h.url}/v1/chat/completions`, chat('hold')));
    await waitFor(() => up.received === 2);
    const res = await post(`${h.url}/v1/chat/completions`, chat('let me in'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'gateway_overloaded', type: 'api_error' } });
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ status: 503 });
    expect(up.received).toBe(2);
    for (const c of holders) c.req.destroy();
    await waitFor(() => h.events.length === 3);
  });
});

describe('the wait for an upstream connection is short and bounded', () => {
  const answering = (_req: IncomingMessage, res: ServerResponse, body: string): void => {
    if (body.includes('hold')) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'ok',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'served' }, finish_reason: 'stop' }],
      }),
    );
  };

  /**
   * A gateway with one upstream connection and room for one waiter (long waits allowed), its
   * connection held by a request the upstream never answers.
   */
  const oneConnectionHeld = async () => {
    const up = await fakeUpstream(answering);
    const h = await harness(up.url, {
      upstreamConnections: 1,
      upstreamQueue: 1,
      upstreamQueueWaitMs: 60_000,
      upstreamHeadersTimeoutMs: 60_000,
    });
    const holder = rawPost(`${h.url}/v1/chat/completions`, chat('hold'));
    await waitFor(() => up.received === 1);
    return { up, h, holder };
  };

  it('a waiting request gets the connection its holder frees', async () => {
    const { h, holder } = await oneConnectionHeld();
    const waiting = post(`${h.url}/v1/chat/completions`, chat('after you'));
    holder.req.destroy();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.text).toContain('served');
  });

  it('past the queue length a request is refused at once, even with a long wait allowed', async () => {
    const { up, h, holder } = await oneConnectionHeld();
    const waiter = rawPost(`${h.url}/v1/chat/completions`, chat('hold too'));
    await waitFor(() => h.gateway.stats.upstream_waiting === 1);
    const res = await post(`${h.url}/v1/chat/completions`, chat('third'));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'gateway_overloaded' } });
    for (const c of [holder, waiter]) c.req.destroy();
    await waitFor(() => h.events.length === 3);
    expect(up.received).toBe(1);
  });
});

describe('the timeouts are flags of the CLI', () => {
  const root = resolve(import.meta.dirname, '..');
  const cli = join(root, 'dist/cli/main.js');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  beforeAll(() => {
    const marker = join(root, 'dist/gateway/gateway.js');
    const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
    if (built >= Math.max(newest(join(root, 'src/gateway')), newest(join(root, 'src/cli')))) return;
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    } catch {
      // tsc still emits when another module has a type error; the test fails loudly if not.
    }
  }, 180_000);

  it('rejects a timeout that is not a positive number with one clear message', async () => {
    const err = await promisify(execFile)(process.execPath, [
      cli,
      'gateway',
      '--upstream',
      'http://127.0.0.1:9',
      '--port',
      '0',
      '--events-out',
      join(mkdtempSync(join(tmpdir(), 'dg-gw-up-cli-')), 'e.ndjson'),
      '--upstream-headers-timeout',
      '-1',
    ]).then(
      () => null,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err?.code).not.toBe(0);
    expect(err?.stderr).toContain('INVALID_ARGUMENT');
    expect(err?.stderr).toContain('--upstream-headers-timeout');
  });

  it('--upstream-headers-timeout bounds the wait for a hanging upstream', async () => {
    const up = await fakeUpstream(() => {});
    const dir = mkdtempSync(join(tmpdir(), 'dg-gw-up-cli-'));
    const eventsOut = join(dir, 'events.ndjson');
    const child = spawn(
      process.execPath,
      [
        cli,
        'gateway',
        '--upstream',
        up.url,
        '--port',
        '0',
        '--events-out',
        eventsOut,
        '--spool',
        join(dir, 'spool.ndjson'),
        '--upstream-headers-timeout',
        '0.3',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(out), 20_000);
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const res = await post(`${url}/v1/chat/completions`, chat('hang'));
    expect(res.status).toBe(504);
    child.kill('SIGTERM');
    await once(child, 'exit');
    const lines = readFileSync(eventsOut, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ gateway: { status: 504 } });
  }, 30_000);
});
