import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccountResolver,
  DecisionCache,
  DemoUpstream,
  EventRecorder,
  Gateway,
  StaticDecisionSource,
  sha256Hex,
} from '../src/gateway/index.js';
import type { EventSink } from '../src/pipeline/index.js';
import { CanaryGenerator, CanaryRegistry } from '../src/respond/index.js';
import type { StaticDecision } from '../src/contracts/index.js';
import { chat } from './chat-request.js';

/**
 * The recorded event lines and the answers clients get, byte for byte, for a fixed set of
 * exchanges (every endpoint whole and streamed, degrade, canaries, refusals, upstream errors,
 * gzip, odd text), against lines recorded from the gateway before its hot path was reworked. Only
 * what is random or timed per run is masked: event ids, timestamps, latencies, support references.
 * Regenerate with GATEWAY_GOLDEN_UPDATE=1 only when a change of the record is intended.
 */
const GOLDEN = join(import.meta.dirname, 'fixtures', 'gateway-golden.ndjson');

const mask = (s: string): string =>
  s
    .replace(/gw-[0-9a-f-]{36}/g, 'gw-ID')
    .replace(/"ts":"[^"]+"/g, '"ts":"TS"')
    .replace(/"latency_ms":[0-9.e+-]+/g, '"latency_ms":0')
    .replace(/"support_reference":"[^"]+"/g, '"support_reference":"REF"')
    .replace(/"created":\d+/g, '"created":0')
    .replace(/ref_[0-9a-z]+/g, 'ref_X');

type Case = {
  name: string;
  path: string;
  body: unknown;
  account?: string;
  headers?: Record<string, string>;
  gzip?: boolean;
  fail?: number;
};

const CASES: Case[] = [
  { name: 'chat whole', path: '/v1/chat/completions', body: chat('What is a prime number?') },
  {
    name: 'chat streamed',
    path: '/v1/chat/completions',
    body: chat('Explain item 7 of the catalogue in two sentences.', { stream: true }),
  },
  {
    name: 'chat params, tools, user, parts',
    path: '/v1/chat/completions',
    body: {
      model: 'demo-1',
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      n: 1,
      logprobs: true,
      top_logprobs: 2,
      user: 'end-user-9',
      tools: [{ type: 'function', function: { name: 'f' } }],
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }, { type: 'image_url' }] },
        { role: 'weird', content: { nested: true } },
        { role: 'user', content: 'Ünïcødé \u2028 "quotes" \\ and 😀 \ud800 lone' },
      ],
    },
  },
  { name: 'completions whole', path: '/v1/completions', body: { model: 'demo-1', prompt: ['a', 'b', 3] } },
  {
    name: 'completions streamed',
    path: '/v1/completions',
    body: { model: 'demo-1', prompt: 'Say hello', stream: true },
  },
  {
    name: 'responses whole',
    path: '/v1/responses',
    body: { model: 'demo-1', instructions: 'Be kind.', input: 'Tell me about tides.' },
  },
  {
    name: 'responses streamed',
    path: '/v1/responses',
    body: {
      model: 'demo-1',
      stream: true,
      input: [
        { role: 'user', content: 'Tell me about waves.' },
        { type: 'function_call_output', output: { ok: 1 } },
      ],
    },
  },
  {
    name: 'degraded whole',
    path: '/v1/chat/completions',
    account: 'acct-degraded',
    body: chat('Reason hard about primes.', { max_tokens: 4000, logprobs: true }),
  },
  {
    name: 'degraded streamed',
    path: '/v1/chat/completions',
    account: 'acct-degraded',
    body: chat('Reason hard about primes.', { stream: true, logprobs: true }),
  },
  {
    name: 'degraded responses streamed',
    path: '/v1/responses',
    account: 'acct-degraded',
    body: { model: 'demo-1', stream: true, input: 'Think about tides.', reasoning: { effort: 'high' } },
  },
  {
    name: 'watched whole',
    path: '/v1/chat/completions',
    account: 'acct-watched',
    body: chat('Name a river.'),
  },
  {
    name: 'watched streamed',
    path: '/v1/chat/completions',
    account: 'acct-watched',
    body: chat('Name a mountain.', { stream: true }),
  },
  {
    name: 'watched responses whole',
    path: '/v1/responses',
    account: 'acct-watched',
    body: { model: 'demo-1', input: 'Name a lake.' },
  },
  {
    name: 'watched responses streamed',
    path: '/v1/responses',
    account: 'acct-watched',
    body: { model: 'demo-1', input: 'Name a sea.', stream: true },
  },
  {
    name: 'watched, JSON mode: no canary',
    path: '/v1/chat/completions',
    account: 'acct-watched',
    body: chat('Give JSON.', { response_format: { type: 'json_object' } }),
  },
  { name: 'blocked', path: '/v1/chat/completions', account: 'acct-blocked', body: chat('Anything.') },
  { name: 'step-up', path: '/v1/chat/completions', account: 'acct-stepup', body: chat('Anything.') },
  {
    name: 'gzip request, user agent, forwarded for',
    path: '/v1/chat/completions',
    body: chat('Compressed question.'),
    gzip: true,
    headers: { 'user-agent': 'golden-client/1.0', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
  },
  {
    name: 'conflicting keys',
    path: '/v1/chat/completions',
    body: chat('Two keys.'),
    headers: { 'api-key': 'sk-other' },
  },
  { name: 'upstream 429', path: '/v1/chat/completions', body: chat('Too many.'), fail: 429 },
  {
    name: 'upstream 500 streamed',
    path: '/v1/chat/completions',
    body: chat('Broken.', { stream: true }),
    fail: 500,
  },
  { name: 'not JSON', path: '/v1/chat/completions', body: '{"model": "demo-1", "messages": [' },
  { name: 'other path', path: '/v1/models', body: {} },
];

const decisions: StaticDecision[] = [
  { account_id: 'acct-degraded', action: 'degrade' },
  { account_id: 'acct-watched', action: 'monitor', watch: true, cluster_id: 'hydra-golden' },
  { account_id: 'acct-blocked', action: 'block', reason: 'golden block' },
  { account_id: 'acct-stepup', action: 'step_up', reason: 'golden step-up' },
];

let lines: string[] = [];
const answers: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-gw-golden-'));
  const upstream = new DemoUpstream({ reasoning: true, wordsPerChunk: 3 });
  const upstreamUrl = await upstream.listen();
  const bytes: Buffer[] = [];
  const sink: EventSink = {
    write: (_events, ndjson) => {
      bytes.push(Buffer.from(ndjson ?? ''));
      return Promise.resolve();
    },
  };
  const recorder = new EventRecorder({
    sink,
    spoolPath: join(dir, 'spool.ndjson'),
    flushIntervalMs: 100_000,
    drainIntervalMs: 100_000,
  });
  const gateway = new Gateway({
    upstream: upstreamUrl,
    decisions: new DecisionCache(new StaticDecisionSource(decisions)),
    accounts: new AccountResolver({
      keyHashes: new Map([[sha256Hex('sk-alice'), 'acct-alice']]),
      trustAccountHeader: true,
    }),
    recorder,
    trustForwardedFor: true,
    // One canary per subject: which one an exchange gets would otherwise follow its random id.
    canary: {
      generator: new CanaryGenerator('golden-secret-123', 1),
      registry: new CanaryRegistry(join(dir, 'canaries.ndjson')),
      rate: 1,
    },
    random: () => 0,
    verificationUrl: 'https://verify.example/start',
  });
  const port = await gateway.listen(0);
  for (const c of CASES) {
    upstream.failNext(c.fail ?? null);
    const text = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const res = await request(`http://127.0.0.1:${port}${c.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-alice',
        ...(c.account ? { 'x-account-id': c.account } : {}),
        ...(c.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...c.headers,
      },
      body: c.gzip ? gzipSync(text) : text,
    });
    answers.push(mask(`${c.name}\t${res.statusCode}\t${JSON.stringify(await res.body.text())}`));
  }
  upstream.failNext(null);
  await gateway.close();
  await upstream.close();
  lines = mask(Buffer.concat(bytes).toString('utf8')).split('\n').filter(Boolean);
  if (process.env.GATEWAY_GOLDEN_UPDATE === '1')
    writeFileSync(GOLDEN, `${[...lines, ...answers.map((a) => `#${a}`)].join('\n')}\n`);
});

describe('gateway records exactly what it recorded before', () => {
  const golden = (): string[] => readFileSync(GOLDEN, 'utf8').split('\n').filter(Boolean);
  it('event lines byte for byte (ids, times and references masked)', () => {
    expect(lines.length).toBeGreaterThan(15);
    expect(lines).toEqual(golden().filter((l) => !l.startsWith('#')));
  });
  it('answers to the client byte for byte', () => {
    expect(answers).toEqual(
      golden()
        .filter((l) => l.startsWith('#'))
        .map((l) => l.slice(1)),
    );
  });
});
