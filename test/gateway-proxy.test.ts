import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccountResolver,
  DecisionCache,
  DemoUpstream,
  EventRecorder,
  Gateway,
  HttpDecisionSource,
  StaticDecisionSource,
  sha256Hex,
} from '../src/gateway/index.js';
import { CallbackSink, HttpEventSink, type EventSink } from '../src/pipeline/index.js';
import { CanaryGenerator, CanaryRegistry, readCanaryRegistry } from '../src/respond/index.js';
import { ApiEvent, type StaticDecision } from '../src/contracts/index.js';
import { chat } from './chat-request.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Harness {
  url: string;
  upstream: DemoUpstream;
  events: ApiEvent[];
  gateway: Gateway;
  recorder: EventRecorder;
  dir: string;
  registryPath: string;
}

async function harness(opts: {
  decisions?: StaticDecision[];
  upstream?: DemoUpstream;
  upstreamUrl?: string;
  sink?: EventSink;
  cache?: DecisionCache;
  canaryRate?: number;
  recordPrompts?: boolean;
}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-gw-'));
  const upstream = opts.upstream ?? new DemoUpstream();
  const upstreamUrl = opts.upstreamUrl ?? (await upstream.listen());
  const events: ApiEvent[] = [];
  const recorder = new EventRecorder({
    sink: opts.sink ?? new CallbackSink((batch) => void events.push(...batch)),
    spoolPath: join(dir, 'spool.ndjson'),
    flushIntervalMs: 20,
    drainIntervalMs: 100_000,
  });
  const registryPath = join(dir, 'canaries.ndjson');
  const gateway = new Gateway({
    upstream: upstreamUrl,
    decisions: opts.cache ?? new DecisionCache(new StaticDecisionSource(opts.decisions ?? [])),
    accounts: new AccountResolver({
      keyHashes: new Map([[sha256Hex('sk-alice'), 'acct-alice']]),
      trustAccountHeader: true,
    }),
    recorder,
    canary: {
      generator: new CanaryGenerator('test-secret-123'),
      registry: new CanaryRegistry(registryPath),
      rate: opts.canaryRate ?? 1,
      recordPrompts: opts.recordPrompts ?? true,
    },
    verificationUrl: 'https://verify.example/start',
  });
  const port = await gateway.listen(0);
  cleanups.push(async () => {
    await gateway.close();
    await upstream.close();
  });
  return { url: `http://127.0.0.1:${port}`, upstream, events, gateway, recorder, dir, registryPath };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-alice', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('gateway proxy', () => {
  it('passes an allowed chat completion through and records it as a valid API event', async () => {
    const h = await harness({});
    const res = await post(
      `${h.url}/v1/chat/completions`,
      chat('Name three primary colours.', { temperature: 0.2, logprobs: true, top_logprobs: 3 }),
      {
        'user-agent': 'openai-python/1.40',
      },
    );
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { choices: { message: { content: string }; logprobs: unknown }[] };
    expect(body.choices[0]!.message.content).toBe(h.upstream.answerFor('Name three primary colours.'));
    expect(body.choices[0]!.logprobs).not.toBeNull();
    await waitFor(() => h.events.length === 1);
    const ev = ApiEvent.parse(h.events[0]);
    expect(ev.account_id).toBe('acct-alice');
    expect(ev.api_key_id).toBe(`kh:${sha256Hex('sk-alice').slice(0, 16)}`);
    expect(ev.endpoint).toBe('chat.completions');
    expect(ev.request.messages).toHaveLength(2);
    expect(ev.request.params).toMatchObject({ temperature: 0.2, logprobs: true, top_logprobs: 3 });
    expect(ev.response?.text).toBe(body.choices[0]!.message.content);
    expect(ev.response?.finish_reason).toBe('stop');
    expect(ev.usage?.input_tokens).toBe(12);
    expect(ev.client?.user_agent).toBe('openai-python/1.40');
    expect(JSON.stringify(ev)).not.toContain('sk-alice');
  });

  it('reads a whole answer split mid-character and led by a byte order mark as undici’s body.text() did', async () => {
    const content = 'café … 漢字 😀';
    const json = JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);
    const cut = bytes.indexOf(Buffer.from('漢')) + 1; // inside the three bytes of 漢
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.end(bytes.subarray(cut)), 20);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const h = await harness({ upstreamUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const res = await post(`${h.url}/v1/chat/completions`, chat('Say it.'));
    expect(res.status).toBe(200);
    expect(res.text).toBe(json);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response).toEqual({ text: content, finish_reason: 'stop' });
    expect(h.events[0]!.usage).toEqual({ input_tokens: 3, output_tokens: 4 });
  });

  it('streams SSE chunk by chunk: the first chunk reaches the client before the upstream finishes', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let upstreamFinished = false;
    const upstream = new DemoUpstream({
      holdAfterFirstChunk: () => released.then(() => void (upstreamFinished = true)),
    });
    const h = await harness({ upstream });
    const res = await request(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-alice' },
      body: JSON.stringify(chat('Stream a sentence about rivers.', { stream: true })),
    });
    expect(res.headers['content-type']).toContain('text/event-stream');
    const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let seen = '';
    const timeout = setTimeout(release, 5000); // a buffering gateway would deadlock; fail loudly instead
    while (!seen.includes('"content":"Here ')) {
      const next = await it.next();
      if (next.done) break;
      seen += next.value.toString();
    }
    expect(upstreamFinished).toBe(false);
    clearTimeout(timeout);
    release();
    for (let n = await it.next(); !n.done; n = await it.next()) seen += n.value.toString();
    expect(seen).toContain('data: [DONE]');
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response?.text).toBe(upstream.answerFor('Stream a sentence about rivers.'));
    expect(h.events[0]!.request.params?.stream).toBe(true);
  });

  it('sends a stream whose end arrives with its last events in one write, terminator included', async () => {
    const h = await harness({});
    // Every write (syscall) the gateway makes to its clients.
    const writes: string[] = [];
    h.gateway.server.on('connection', (socket: Socket) => {
      const s = socket as unknown as {
        _write(c: Buffer | string, e: string, cb: () => void): void;
        _writev(cs: { chunk: Buffer | string }[], cb: () => void): void;
      };
      const write = s._write.bind(s);
      const writev = s._writev.bind(s);
      s._write = (c, e, cb) => (writes.push(String(c)), write(c, e, cb));
      s._writev = (cs, cb) => (writes.push(cs.map((x) => String(x.chunk)).join('')), writev(cs, cb));
    });
    const res = await post(`${h.url}/v1/chat/completions`, chat('Stream about lakes.', { stream: true }));
    expect(res.text).toContain('data: [DONE]');
    // The demo upstream sends its whole stream at once: one write to the client, ending the body.
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/data: \[DONE\]\n\n\r\n0\r\n\r\n$/);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response?.text).toBe(h.upstream.answerFor('Stream about lakes.'));
  });

  it('blocks with 403 and the documented body without calling the upstream, and records the attempt', async () => {
    const h = await harness({
      decisions: [{ account_id: 'acct-alice', action: 'block', reason: 'distillation campaign' }],
    });
    const res = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({
      error: { code: 'account_blocked', type: 'permission_error' },
    });
    expect(h.upstream.requests).toBe(0);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ action: 'block', status: 403 });
  });

  it('asks for step-up verification with 403 and a verification URL', async () => {
    const h = await harness({ decisions: [{ account_id: 'acct-alice', action: 'step_up' }] });
    const res = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({
      error: { code: 'verification_required', verification_url: 'https://verify.example/start' },
    });
  });

  it('throttles with 429 and Retry-After once the account burst is spent', async () => {
    const h = await harness({
      decisions: [{ account_id: 'acct-alice', action: 'throttle', rate_per_minute: 2 }],
    });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await post(`${h.url}/v1/chat/completions`, chat(`q${i}`));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'] as string;
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(30);
    expect(h.upstream.requests).toBe(2);
  });

  it('degrades: caps max tokens and drops logprobs upstream, strips reasoning and logprobs from answers', async () => {
    const upstream = new DemoUpstream({ reasoning: true });
    const h = await harness({
      upstream,
      decisions: [{ account_id: 'acct-alice', action: 'degrade', degrade: { max_tokens: 64 } }],
    });
    const res = await post(
      `${h.url}/v1/chat/completions`,
      chat('Explain tides.', { logprobs: true, top_logprobs: 5, max_tokens: 4000 }),
    );
    expect(res.status).toBe(200);
    expect(upstream.lastBody).toMatchObject({ max_tokens: 64, logprobs: false });
    expect(upstream.lastBody).not.toHaveProperty('top_logprobs');
    const body = JSON.parse(res.text) as { choices: Record<string, unknown>[] };
    expect(body.choices[0]).not.toHaveProperty('logprobs');
    expect(body.choices[0]!.message).not.toHaveProperty('reasoning_content');
    // Streams too.
    const s = await post(
      `${h.url}/v1/chat/completions`,
      chat('Explain tides.', { stream: true, logprobs: true }),
    );
    expect(s.text).not.toContain('reasoning_content');
    expect(s.text).not.toContain('"logprobs"');
    expect(s.text).toContain('data: [DONE]');
    await waitFor(() => h.events.length === 2);
    // The event keeps what the client asked for: that is evidence.
    expect(h.events[0]!.request.params).toMatchObject({ logprobs: true, top_logprobs: 5, max_tokens: 4000 });
  });

  it('degrades Responses API answers, whole and streamed', async () => {
    const upstream = new DemoUpstream({ reasoning: true });
    const h = await harness({ upstream, decisions: [{ account_id: 'acct-alice', action: 'degrade' }] });
    const res = await post(`${h.url}/v1/responses`, {
      model: 'demo-1',
      input: 'Why is the sky blue?',
      max_output_tokens: 9000,
    });
    const body = JSON.parse(res.text) as { output: { type: string }[] };
    expect(body.output.map((o) => o.type)).toEqual(['message']);
    expect(upstream.lastBody).toMatchObject({ max_output_tokens: 512 });
    const s = await post(`${h.url}/v1/responses`, {
      model: 'demo-1',
      input: 'Why is the sky blue?',
      stream: true,
    });
    expect(s.text).not.toContain('"type":"reasoning"');
    expect(s.text).not.toContain('reasoning_summary');
    expect(s.text).toContain('response.completed');
    await waitFor(() => h.events.length === 2);
    expect(h.events[1]!.response?.text).toBe(upstream.answerFor('Why is the sky blue?'));
    expect(h.events[1]!.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('passes upstream errors through as the upstream said them', async () => {
    const h = await harness({});
    h.upstream.failNext(503);
    const res = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(res.status).toBe(503);
    expect(res.headers['x-upstream']).toBe('demo');
    expect(JSON.parse(res.text)).toEqual({
      error: { type: 'server_error', code: 'overloaded', message: 'upstream says no', param: null },
    });
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.gateway).toMatchObject({ status: 503 });
  });

  it('answers 502 upstream_unavailable when the upstream cannot be reached, and still records the exchange', async () => {
    const h = await harness({ upstreamUrl: 'http://127.0.0.1:9' });
    const res = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_unavailable' } });
    await waitFor(() => h.events.length === 1);
  });

  it('passes other API paths through without recording them', async () => {
    const h = await harness({});
    const res = await request(`${h.url}/v1/models`, { headers: { authorization: 'Bearer sk-alice' } });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { data: unknown[] }).data).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(h.events).toHaveLength(0);
  });

  it('identifies accounts: X-Account-Id from a trusted auth layer, unknown keys by their hash', async () => {
    const h = await harness({});
    await post(`${h.url}/v1/chat/completions`, chat('a'), { 'x-account-id': 'acct-from-auth' });
    await post(`${h.url}/v1/chat/completions`, chat('b'), { authorization: 'Bearer sk-unknown' });
    await waitFor(() => h.events.length === 2);
    const ids = h.events.map((e) => e.account_id).sort();
    expect(ids).toEqual(['acct-from-auth', `key:${sha256Hex('sk-unknown').slice(0, 16)}`].sort());
  });

  it('embeds a cluster canary for watched accounts, whole and streamed, and registers each serving', async () => {
    const h = await harness({
      decisions: [{ account_id: 'acct-alice', action: 'monitor', watch: true, cluster_id: 'hydra-1' }],
    });
    const gen = new CanaryGenerator('test-secret-123');
    const set = new Set(gen.canariesFor('hydra-1').map((c) => c.text));
    const whole = await post(`${h.url}/v1/chat/completions`, chat('Describe a lighthouse.'));
    const content = (JSON.parse(whole.text) as { choices: { message: { content: string } }[] }).choices[0]!
      .message.content;
    const answer = h.upstream.answerFor('Describe a lighthouse.');
    expect(content.startsWith(answer)).toBe(true);
    expect(set.has(content.slice(answer.length + 1))).toBe(true);

    const streamed = await post(
      `${h.url}/v1/chat/completions`,
      chat('Describe a harbour.', { stream: true }),
    );
    const deltas = streamed.text
      .split('\n\n')
      .filter((l) => l.startsWith('data: {'))
      .map(
        (l) =>
          (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta
            .content ?? '',
      )
      .join('');
    const answer2 = h.upstream.answerFor('Describe a harbour.');
    expect(set.has(deltas.slice(answer2.length + 1))).toBe(true);

    const responses = await post(`${h.url}/v1/responses`, {
      model: 'demo-1',
      input: 'Describe a quay.',
      stream: true,
    });
    expect(responses.text).toContain('response.completed');
    // JSON mode gets no canary: it would break the format.
    const json = await post(
      `${h.url}/v1/chat/completions`,
      chat('Describe a pier.', { response_format: { type: 'json_object' } }),
    );
    expect(JSON.parse(json.text)).toMatchObject({
      choices: [{ message: { content: h.upstream.answerFor('Describe a pier.') } }],
    });

    await waitFor(() => h.events.length === 4);
    await h.gateway.close();
    cleanups.length = 0;
    await h.upstream.close();
    const { servings, rejected } = readCanaryRegistry(h.registryPath);
    expect(rejected).toEqual([]);
    expect(servings).toHaveLength(3);
    expect(servings.map((s) => s.prompt)).toEqual([
      'Describe a lighthouse.',
      'Describe a harbour.',
      'Describe a quay.',
    ]);
    for (const s of servings) {
      expect(s.subject).toBe('hydra-1');
      expect(s.account_id).toBe('acct-alice');
      expect(set.has(s.text)).toBe(true);
    }
    // The event records the answer as served, canary included, and names the canary.
    expect(h.events[1]!.response?.text).toBe(deltas);
    expect(h.events.slice(0, 3).map((e) => (e.gateway as { canary_id: string }).canary_id)).toEqual(
      servings.map((s) => s.canary_id),
    );
    expect(h.events[3]!.gateway).not.toHaveProperty('canary_id');
  });

  it('never waits on the decision server: first request is allowed, the next sees the fetched block', async () => {
    let lookups = 0;
    const decisionServer = createServer((req, res) => {
      lookups++;
      // A slow server: the hot path must not wait for it.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            account_id: 'acct-alice',
            action: 'block',
            reason: 'x',
            source: 'manual',
            scope: 'account',
            cluster_id: null,
            expires_at: null,
            updated_at: new Date().toISOString(),
            watch: false,
          }),
        );
      }, 150);
    });
    decisionServer.listen(0, '127.0.0.1');
    await once(decisionServer, 'listening');
    cleanups.push(() => new Promise((r) => decisionServer.close(() => r())));
    const base = `http://127.0.0.1:${(decisionServer.address() as AddressInfo).port}`;
    const cache = new DecisionCache(new HttpDecisionSource(base, 'enf-key'), { ttlMs: 60_000 });
    const h = await harness({ cache });
    const t0 = performance.now();
    const first = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(performance.now() - t0).toBeLessThan(140);
    expect(first.status).toBe(200);
    await waitFor(() => cache.get('acct-alice').action === 'block');
    const second = await post(`${h.url}/v1/chat/completions`, chat('hello'));
    expect(second.status).toBe(403);
    expect(lookups).toBe(1);
  });

  it('spools events when the sink is down and drains them once it is back', async () => {
    let up = false;
    const received: ApiEvent[] = [];
    const sink: EventSink = {
      write: (batch) => {
        if (!up) return Promise.reject(new Error('pipeline unreachable'));
        received.push(...batch);
        return Promise.resolve();
      },
    };
    const h = await harness({ sink });
    for (let i = 0; i < 5; i++) await post(`${h.url}/v1/chat/completions`, chat(`question ${i}`));
    const spool = join(h.dir, 'spool.ndjson');
    await waitFor(() => h.recorder.stats.spooled === 5);
    expect(readFileSync(spool, 'utf8').trim().split('\n')).toHaveLength(5);
    up = true;
    await h.recorder.drain();
    expect(received.map((e) => e.request.messages[1]!.content).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `question ${i}`),
    );
    expect(existsSync(spool)).toBe(false);
    expect(h.recorder.stats).toMatchObject({ recorded: 5, sent: 5, spooled: 5, drained: 5, pending: 0 });
  });

  it('records a partial exchange when the client hangs up mid-stream, and stops reading the upstream', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const upstream = new DemoUpstream({ holdAfterFirstChunk: () => held });
    const h = await harness({ upstream });
    const res = await request(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-alice' },
      body: JSON.stringify(chat('Tell me about glaciers.', { stream: true })),
    });
    const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let seen = '';
    while (!seen.includes('"content":"Here ')) seen += ((await it.next()).value as Buffer).toString();
    res.body.destroy();
    await waitFor(() => h.events.length === 1);
    release();
    expect(h.events[0]!.response?.text).toBe('Here is a short ');
    expect(h.events[0]!.response?.finish_reason).toBeUndefined();
  });

  it('reads gzip request bodies and forwards them decoded', async () => {
    const h = await harness({});
    const res = await request(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: 'Bearer sk-alice',
      },
      body: gzipSync(JSON.stringify(chat('Compressed question?'))),
    });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe(h.upstream.answerFor('Compressed question?'));
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.request.messages[1]!.content).toBe('Compressed question?');
  });

  it('keeps prompts out of the registry when asked to', async () => {
    const h = await harness({
      decisions: [{ account_id: 'acct-alice', action: 'watch', cluster_id: 'hydra-3' }],
      recordPrompts: false,
    });
    await post(`${h.url}/v1/chat/completions`, chat('A private question.'));
    await waitFor(() => h.events.length === 1);
    await h.gateway.close();
    cleanups.length = 0;
    await h.upstream.close();
    const { servings } = readCanaryRegistry(h.registryPath);
    expect(servings).toHaveLength(1);
    expect(servings[0]).not.toHaveProperty('prompt');
    expect(JSON.stringify(servings)).not.toContain('private question');
  });

  it('refuses a gzip body that inflates past the limit with 413, without calling the upstream', async () => {
    const h = await harness({});
    const bomb = gzipSync(Buffer.alloc(21 * 1024 * 1024, 0x20));
    const res = await request(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.statusCode).toBe(413);
    expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(h.upstream.requests).toBe(0);
  });

  it('embeds the canary in a whole Responses API answer, in the message and output_text', async () => {
    const h = await harness({
      decisions: [{ account_id: 'acct-alice', action: 'allow', watch: true, cluster_id: 'hydra-2' }],
    });
    const res = await post(`${h.url}/v1/responses`, { model: 'demo-1', input: 'Name a river.' });
    const body = JSON.parse(res.text) as { output: { content: { text: string }[] }[] };
    const text = body.output[0]!.content[0]!.text;
    const answer = h.upstream.answerFor('Name a river.');
    const set = new Set(new CanaryGenerator('test-secret-123').canariesFor('hydra-2').map((c) => c.text));
    expect(set.has(text.slice(answer.length + 1))).toBe(true);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]!.response?.text).toBe(text);
  });

  it('spools batches a DistillGuard server cannot take (503) and drains them to it later', async () => {
    let mode: 'busy' | 'ok' = 'busy';
    const bodies: string[] = [];
    const auth: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        auth.push(req.headers.authorization);
        if (mode === 'busy') {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"SERVICE_UNAVAILABLE","message":"busy"}}');
          return;
        }
        bodies.push(Buffer.concat(chunks).toString());
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"accepted":1,"duplicates":0,"rejected":0,"errors":[]}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const sink = new HttpEventSink(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      'dg_ingest_key',
    );
    const h = await harness({ sink });
    for (let i = 0; i < 3; i++) await post(`${h.url}/v1/chat/completions`, chat(`spooled ${i}`));
    await waitFor(() => h.recorder.stats.spooled === 3);
    mode = 'ok';
    await h.recorder.drain();
    expect(h.recorder.stats).toMatchObject({ spooled: 3, drained: 3, pending: 0 });
    const lines = bodies.join('').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ApiEvent).request.messages[1]!.content).sort()).toEqual([
      'spooled 0',
      'spooled 1',
      'spooled 2',
    ]);
    expect(new Set(auth)).toEqual(new Set(['Bearer dg_ingest_key']));
  });
});
