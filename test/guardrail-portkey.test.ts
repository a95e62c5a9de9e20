import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentEventsOf } from '../src/store/index.js';
import type { TestService } from './server-harness.js';
import { createApiKey, putDecisions, startTestService, waitForValue } from './server-harness.js';
import { findingsOf } from './findings-fixture.js';
import { servicesRequired } from './store-harness.js';

/*
 * End to end with the real Portkey AI Gateway (`@portkey-ai/gateway` from npm, a devDependency):
 * Portkey in front of a fake OpenAI-compatible upstream, with DistillGuard's guardrail webhook
 * (`serve`) as its before- and after-request hook. The config below is the one docs/guardrails.md
 * shows. Skips, saying why, when the gateway cannot start; fails instead under REQUIRE_SERVICES=1.
 */

function portkeyEntry(): string | null {
  // Another Portkey install to drive instead, e.g. one with @hono/node-server pinned to 1.14.1
  // (docs/guardrails.md): PORTKEY_ENTRY=<its build/start-server.js>.
  const other = process.env.PORTKEY_ENTRY;
  if (other) return existsSync(other) ? other : null;
  try {
    const pkg = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
    const entry = path.join(path.dirname(pkg), 'build', 'start-server.js');
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Starts Portkey on `port` and waits for its banner route; the reason when it cannot. */
async function startPortkey(
  entry: string,
  port: number,
): Promise<{ child: ChildProcess } | { reason: string }> {
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child.exitCode !== null)
      return { reason: `Portkey exited with ${child.exitCode}: ${output.slice(-500)}` };
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      if (r.ok && (await r.text()).includes('AI Gateway')) return { child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return { reason: `Portkey did not answer on port ${port} within 20 s: ${output.slice(-500)}` };
}

/** The fake model's answer; a "reasoner" also shows its reasoning, and logprobs when asked. */
const ANSWER = 'Paris is the capital of France.';
const REASONING = 'The user asks for a capital; France: Paris.';

/**
 * A fake OpenAI-compatible model: answers chat completions, whole or streamed (`stream: true`),
 * and remembers each request body. The model `reasoner` answers like a reasoning model
 * (`reasoning_content` beside the answer, as DeepSeek's does) with logprobs when asked.
 */
function fakeUpstream(): Promise<{ server: Server; url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      bodies.push(body);
      const reasoner = body.model === 'reasoner';
      const base = { id: `chatcmpl-${bodies.length}`, created: 1764790000, model: body.model };
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'Paris is' }, null));
        res.write(chunk({ content: ' the capital of France.' }, 'stop'));
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: ANSWER,
                ...(reasoner ? { reasoning_content: REASONING } : {}),
              },
              ...(reasoner && body.logprobs === true
                ? { logprobs: { content: [{ token: 'Paris', logprob: -0.01, top_logprobs: [] }] } }
                : {}),
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies }),
    ),
  );
}

/**
 * The Portkey config of docs/guardrails.md, for this DistillGuard and upstream; `flagOnly` is the
 * flag-only variant the doc describes (`?mode=flag` on the webhook URL, `deny: false`).
 */
export function portkeyConfig(
  distillguard: string,
  enforcementKey: string,
  upstream: string,
  flagOnly = false,
) {
  const check = {
    id: 'default.webhook',
    parameters: {
      webhookURL: `${distillguard}/v1/guardrails/portkey${flagOnly ? '?mode=flag' : ''}`,
      headers: { Authorization: `Bearer ${enforcementKey}` },
      timeout: 1000,
    },
  };
  return {
    provider: 'openai',
    api_key: 'sk-upstream-key',
    custom_host: `${upstream}/v1`,
    before_request_hooks: [
      { type: 'guardrail', id: 'distillguard-decision', deny: !flagOnly, checks: [check] },
    ],
    after_request_hooks: [{ type: 'guardrail', id: 'distillguard-record', deny: false, checks: [check] }],
  };
}

it('docs/guardrails.md shows exactly the Portkey config this test uses', () => {
  const doc = readFileSync(path.join(import.meta.dirname, '..', 'docs', 'guardrails.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Portkey'));
  const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
  expect(JSON.parse(json)).toEqual(
    portkeyConfig('http://127.0.0.1:8080', '<enforcement key>', 'http://127.0.0.1:9000'),
  );
});

const entry = portkeyEntry();

/**
 * Whether this Portkey runs on @hono/node-server 1.14.2 or later, whose Response keeps the
 * upstream's immutable headers: Portkey 1.15.2 then answers 500 where it would answer 246, and to
 * every stream (docs/guardrails.md). Null when the version cannot be read.
 */
function immutableHeadersDefect(at: string | null): boolean | null {
  if (!at) return null;
  try {
    const main = createRequire(at).resolve('@hono/node-server');
    const pkg = path.join(path.dirname(main), '..', 'package.json');
    const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version.split('.').map(Number);
    return v[0]! > 1 || (v[0] === 1 && (v[1]! > 14 || (v[1] === 14 && v[2]! >= 2)));
  } catch {
    return null;
  }
}
const defect = immutableHeadersDefect(entry);
let skip: string | null = entry ? null : '@portkey-ai/gateway is not installed (npm install)';

describe('Portkey AI Gateway with the DistillGuard guardrail webhook', () => {
  let ts: TestService;
  let portkey: ChildProcess | undefined;
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  let gw = '';
  let config = '';
  let flagConfig = '';

  beforeAll(async () => {
    if (entry) {
      const port = await freePort();
      const started = await startPortkey(entry, port);
      if ('reason' in started) skip = started.reason;
      else {
        portkey = started.child;
        gw = `http://127.0.0.1:${port}`;
      }
    }
    if (skip) {
      if (servicesRequired()) throw new Error(`REQUIRE_SERVICES=1 but ${skip}`);
      console.warn(`[skip] Portkey end-to-end tests skipped: ${skip}`);
      return;
    }
    ts = await startTestService('sqlite', {
      guardrailCanaries: { secret: 'portkey-e2e-canary-secret', rate: 1 },
    });
    const key = await createApiKey(ts, 'enforcement', 'portkey');
    await putDecisions(
      ts,
      ts.admin,
      [
        ['acct-blocked', 'block'],
        ['acct-degraded', 'degrade'],
      ],
      (id) => `linked to cluster C-9 by shared payment card (${id})`,
    );
    upstream = await fakeUpstream();
    config = JSON.stringify(portkeyConfig(ts.url, key, upstream.url));
    flagConfig = JSON.stringify(portkeyConfig(ts.url, key, upstream.url, true));
  });

  afterAll(async () => {
    portkey?.kill();
    await new Promise<void>((r) => (upstream ? upstream.server.close(() => r()) : r()));
    await ts?.dispose();
  });

  const ask = (
    account: string | null,
    content = 'What is the capital of France?',
    cfg = config,
    extra: Record<string, unknown> = {},
  ) =>
    fetch(`${gw}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-config': cfg,
        ...(account ? { 'x-portkey-metadata': JSON.stringify({ _user: account }) } : {}),
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content }],
        logprobs: true,
        top_logprobs: 5,
        ...extra,
      }),
    });

  /** Puts an account under watch (policy watch_levels), once earlier exchanges have settled. */
  const watch = async (account: string) => {
    // Live detection re-derives policy decisions as exchanges arrive: let earlier ones settle first.
    // Every exchange recorded and scored (refresh waits for a round under way), not a fixed sleep.
    await ts.service.ctx.guardrails!.recorder.flush();
    await ts.service.ctx.live.refresh();
    await ts.service.ctx.decisions.applyFindings(
      findingsOf(
        { accounts: [{ account_id: account, score: 0.9, level: 'act', events: 10, signals: [] }] },
        { events: 10, accounts: 1 },
      ),
    );
  };

  it('refuses a blocked account before the model sees it, telling it nothing about why', async (t) => {
    if (skip) return t.skip();
    const seen = upstream.bodies.length;
    const r = await ask('acct-blocked', 'blocked question');
    const text = await r.text();
    expect(r.status).toBe(446);
    expect(upstream.bodies.length).toBe(seen);
    expect(text).not.toMatch(/C-9|payment card|linked/);
    expect(text).toMatch(/ref_[0-9a-f]{20}/);
    const ev = await waitForValue(
      async () => (await recentEventsOf(ts.service.ctx.db, 'acct-blocked', 5))[0] ?? null,
    );
    expect(ev.gateway).toMatchObject({ action: 'block', via: 'portkey' });
    expect(ev.request.messages.at(-1)?.content).toBe('blocked question');
  });

  it('lets an allowed account through and records the exchange with the answer', async (t) => {
    if (skip) return t.skip();
    const r = await ask('acct-allowed');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe(ANSWER);
    expect(upstream.bodies.at(-1)?.logprobs).toBe(true);
    const ev = await waitForValue(
      async () => (await recentEventsOf(ts.service.ctx.db, 'acct-allowed', 5))[0] ?? null,
    );
    expect(ev.response?.text).toBe(ANSWER);
    expect(ev.usage).toEqual({ input_tokens: 12, output_tokens: 6 });
    expect(ev.gateway).toMatchObject({ action: 'allow', via: 'portkey', status: 200 });
  });

  it('degrades a degraded account: the model receives the rewritten request', async (t) => {
    if (skip) return t.skip();
    const r = await ask('acct-degraded');
    expect(r.status).toBe(200);
    const sent = upstream.bodies.at(-1);
    expect(sent?.logprobs).toBe(false);
    expect(sent?.top_logprobs).toBeUndefined();
    expect(sent?.max_tokens).toBe(512);
  });

  it("degrades a degraded account's answer too: no reasoning and no logprobs reach the client", async (t) => {
    if (skip) return t.skip();
    type Answer = {
      choices: { message: { content: string; reasoning_content?: string }; logprobs?: unknown }[];
    };
    // The same question from an allowed account gets the reasoner's whole answer.
    const open = (await (
      await ask('acct-allowed', 'reasoned', config, { model: 'reasoner' })
    ).json()) as Answer;
    expect(open.choices[0]?.message.reasoning_content).toBe(REASONING);
    expect(open.choices[0]?.logprobs).toBeDefined();
    const r = await ask('acct-degraded', 'reasoned', config, { model: 'reasoner' });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Answer;
    expect(body.choices[0]?.message.content).toBe(ANSWER);
    expect(body.choices[0]?.message).not.toHaveProperty('reasoning_content');
    expect(body.choices[0]).not.toHaveProperty('logprobs');
    const ev = await waitForValue(async () => {
      const evs = await recentEventsOf(ts.service.ctx.db, 'acct-degraded', 20);
      return evs.find((e) => e.request.messages.at(-1)?.content === 'reasoned') ?? null;
    });
    expect(ev.gateway).toMatchObject({ action: 'degrade', degraded: true, via: 'portkey' });
    expect(ev.response?.text).toBe(ANSWER);
  });

  it('passes a request that names no account under --guardrail-fail open (the default)', async (t) => {
    if (skip) return t.skip();
    expect((await ask(null)).status).toBe(200);
  });

  it('flag-only config: a blocked account reaches the model and the exchange is recorded as flagged', async (t) => {
    if (skip) return t.skip();
    const seen = upstream.bodies.length;
    const r = await ask('acct-blocked', 'flagged question', flagConfig);
    const text = await r.text();
    expect(upstream.bodies.length).toBe(seen + 1);
    expect(upstream.bodies.at(-1)?.messages).toEqual([{ role: 'user', content: 'flagged question' }]);
    // Portkey documents 246 with the answer for a failed guardrail that does not deny. Its 1.15.2
    // build on @hono/node-server >= 1.14.2 answers 500 instead (TypeError "immutable" in its
    // updateHeaders, after the model answered and the after-request hooks ran); docs/guardrails.md
    // says why. Either way the client learns nothing about why it was flagged.
    if (defect !== true) {
      expect(r.status).toBe(246);
      const body = JSON.parse(text) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe(ANSWER);
    } else {
      expect(r.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ status: 'failure', message: 'Something went wrong' });
    }
    expect(text).not.toMatch(/C-9|payment card|linked|ref_/);
    const ev = await waitForValue(async () => {
      const evs = await recentEventsOf(ts.service.ctx.db, 'acct-blocked', 20);
      return evs.find((e) => (e.gateway as { flagged?: boolean }).flagged) ?? null;
    });
    expect(ev.gateway).toMatchObject({ action: 'block', status: 200, flagged: true, via: 'portkey' });
    expect(ev.request.messages.at(-1)?.content).toBe('flagged question');
    expect(ev.response?.text).toBe(ANSWER);
  });

  it('flag-only config: an allowed account gets a plain 200', async (t) => {
    if (skip) return t.skip();
    expect((await ask('acct-allowed', 'plain', flagConfig)).status).toBe(200);
  });

  it("plants a canary in a watched account's answer through the after-request hook, and registers it", async (t) => {
    if (skip) return t.skip();
    const watched = 'acct-watched';
    await watch(watched);
    const r = await ask(watched);
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      choices: { message: { content: string } }[];
      hook_results: { after_request_hooks: { transformed: boolean }[] };
    };
    const answer = body.choices[0]!.message.content;
    expect(answer.startsWith(ANSWER)).toBe(true);
    expect(answer.length).toBeGreaterThan(ANSWER.length + 20);
    const ev = await waitForValue(
      async () => (await recentEventsOf(ts.service.ctx.db, watched, 5))[0] ?? null,
    );
    const canaryId = (ev.gateway as { canary_id?: string }).canary_id;
    expect(canaryId).toMatch(/\S/);
    const registry = ts.service.ctx.guardrails!.canaryRegistryPath!;
    const line = await waitForValue(() => {
      const t = existsSync(registry) ? readFileSync(registry, 'utf8') : '';
      return Promise.resolve(t.split('\n').find((l) => l.includes(canaryId!)) ?? null);
    });
    expect(answer.endsWith((JSON.parse(line) as { text: string }).text)).toBe(true);
    // An unwatched answer is rewritten too (unchanged), so hook_results look the same for both.
    const plain = (await (await ask('acct-allowed')).json()) as typeof body;
    expect(plain.choices[0]!.message.content).toBe(ANSWER);
    expect(plain.hook_results.after_request_hooks[0]?.transformed).toBe(
      body.hook_results.after_request_hooks[0]?.transformed,
    );
  });
  it("records a watched account's streamed answer without its text, and plants no canary in it", async (t) => {
    if (skip) return t.skip();
    // Portkey 1.15.2 calls after-request hooks on a stream before reading it (response.json is
    // null) and ignores their transformedData (afterRequestHookHandler): there is no answer to mark.
    const watched = 'acct-watched-stream';
    await watch(watched);
    const seen = upstream.bodies.length;
    const r = await ask(watched, 'streamed question', config, { stream: true });
    const text = await r.text();
    expect(upstream.bodies.length).toBe(seen + 1);
    expect(upstream.bodies.at(-1)?.stream).toBe(true);
    if (defect !== true) {
      expect(r.status).toBe(200);
      // The stream as the model sent it: the answer, nothing appended.
      const deltas = text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)) as { choices?: { delta?: { content?: string } }[] })
        .map((c) => c.choices?.[0]?.delta?.content ?? '');
      expect(deltas.join('')).toBe(ANSWER);
    } else {
      // Portkey 1.15.2 on @hono/node-server >= 1.14.2 fails every streamed answer after the
      // hooks ran (the same TypeError "immutable"; docs/guardrails.md).
      expect(r.status).toBe(500);
    }
    const ev = await waitForValue(async () => {
      const evs = await recentEventsOf(ts.service.ctx.db, watched, 20);
      return evs.find((e) => e.request.messages.at(-1)?.content === 'streamed question') ?? null;
    });
    expect(ev.gateway).toMatchObject({ via: 'portkey', status: 200, watch: true });
    expect((ev.gateway as { canary_id?: string }).canary_id).toBeUndefined();
    expect(ev.response?.text ?? '').toBe('');
  });
});
