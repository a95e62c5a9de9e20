import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentEventsOf } from '../src/store/index.js';
import { call, startTestService, waitForValue, type TestService } from './server-harness.js';

/*
 * The guardrail webhooks of `serve` for other gateways, against fixtures of each published
 * contract (test/fixtures/guardrails/): Portkey's webhook check body, kgateway's GuardrailsPromptRequest,
 * Aperture's HookCallData. The real Portkey gateway is driven in test/guardrail-portkey.test.ts.
 * Attacks first: unauthenticated, oversized, malformed, too deep, no account.
 */

const FIX = path.join(import.meta.dirname, 'fixtures', 'guardrails');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(FIX, name), 'utf8')) as Record<string, unknown>;

/** The fixture with the account named in its own field. */
function portkey(account: string | null, eventType = 'beforeRequestHook'): Record<string, unknown> {
  const f = fixture(eventType === 'beforeRequestHook' ? 'portkey-before.json' : 'portkey-after.json');
  return { ...f, metadata: account === null ? {} : { _user: account } };
}
function aperture(account: string, name = 'aperture-pre-request.json'): Record<string, unknown> {
  const f = fixture(name);
  return { ...f, metadata: { ...(f.metadata as object), login_name: account } };
}

describe.each(['open', 'closed'] as const)('guardrail webhooks, --guardrail-fail %s', (fail) => {
  let ts: TestService;
  let key: string;
  let analystKey: string;
  beforeAll(async () => {
    ts = await startTestService('sqlite', { guardrails: { fail, bodyBytes: 64 * 1024 } });
    key = (
      (await call(`${ts.url}/v1/keys`, 'POST', ts.admin, { json: { name: 'gw', role: 'enforcement' } }))
        .body as { key: string }
    ).key;
    analystKey = (
      (await call(`${ts.url}/v1/keys`, 'POST', ts.admin, { json: { name: 'a', role: 'analyst' } })).body as {
        key: string;
      }
    ).key;
    for (const [id, action] of [
      ['acct-blocked', 'block'],
      ['acct-stepup', 'step_up'],
      ['acct-degraded', 'degrade'],
      ['acct-monitored', 'monitor'],
      ['acct-throttled', 'throttle'],
    ])
      expect(
        (
          await call(`${ts.url}/v1/decisions/${id}`, 'PUT', analystKey, {
            json: { action, reason: `secret-reason-${id}: cluster C-77 detector cot_elicitation` },
          })
        ).status,
      ).toBe(200);
  });
  afterAll(async () => ts.dispose());

  const post = (route: string, json: unknown, k: string | null = key, headers?: Record<string, string>) =>
    call(`${ts.url}/v1/guardrails/${route}`, 'POST', k, { json, ...(headers ? { headers } : {}) });
  const unsureVerdict = fail === 'open';

  // --- attacks ---
  it('refuses callers without an enforcement key, before reading the body', async () => {
    expect((await post('portkey', portkey('acct-blocked'), null)).status).toBe(401);
    expect((await post('portkey', portkey('acct-blocked'), 'dg_not_a_key_0000000000000000')).status).toBe(
      401,
    );
    expect((await post('portkey', portkey('acct-blocked'), analystKey)).status).toBe(403);
  });

  it('answers an oversized body with the fail verdict, without reading it', async () => {
    const big = portkey('acct-blocked');
    (big.request as { json: { messages: unknown[] } }).json.messages.push({
      role: 'user',
      content: 'x'.repeat(80 * 1024),
    });
    const r = await post('portkey', big);
    expect(r.status).toBe(200);
    expect((r.body as { verdict: boolean }).verdict).toBe(unsureVerdict);
    const a = await post('aperture/pre-request', {
      metadata: { login_name: 'x' },
      pad: 'y'.repeat(80 * 1024),
    });
    expect((a.body as { action: string }).action).toBe(fail === 'open' ? 'allow' : 'block');
  });

  it('answers malformed, mis-shaped and too-deep bodies with the fail verdict', async () => {
    const raw = await call(`${ts.url}/v1/guardrails/portkey`, 'POST', key, {
      raw: '{"request": {"json": ',
      type: 'application/json',
    });
    expect(raw.status).toBe(200);
    expect((raw.body as { verdict: boolean }).verdict).toBe(unsureVerdict);
    for (const body of [
      [],
      'text',
      { request: {}, eventType: 'sideways' },
      { eventType: 'beforeRequestHook' },
    ]) {
      const r = await post('portkey', body);
      expect((r.body as { verdict: boolean }).verdict).toBe(unsureVerdict);
    }
    // 5000 levels: as text, since the test's own JSON.stringify could not write it either.
    const d = portkey('acct-monitored');
    (d.request as { json: Record<string, unknown> }).json.tools = 'DEEP';
    const deep = await call(`${ts.url}/v1/guardrails/portkey`, 'POST', key, {
      raw: JSON.stringify(d).replace('"DEEP"', `${'['.repeat(5000)}1${']'.repeat(5000)}`),
      type: 'application/json',
    });
    expect((deep.body as { verdict: boolean }).verdict).toBe(unsureVerdict);
  });

  it('answers a request naming no account with the fail verdict', async () => {
    for (const meta of [{}, { _user: '' }, { _user: 42 }, { _user: 'a'.repeat(201) }]) {
      const r = await post('portkey', { ...portkey(null), metadata: meta });
      expect((r.body as { verdict: boolean }).verdict).toBe(unsureVerdict);
    }
    const k = await post('kgateway/request', fixture('kgateway-request.json'));
    if (fail === 'open') expect(k.body).toEqual({ action: {} });
    else expect((k.body as { action: { status_code: number } }).action.status_code).toBe(503);
  });

  it('tells a refused caller nothing about why: no reason, cluster or detector', async () => {
    for (const r of [
      await post('portkey', portkey('acct-blocked')),
      await post('kgateway/request', fixture('kgateway-request.json'), key, {
        'x-account-id': 'acct-blocked',
      }),
      await post('aperture/pre-request', aperture('acct-blocked')),
    ]) {
      expect(r.text).not.toMatch(/secret-reason|C-77|cot_elicitation/i);
      expect(r.text).toMatch(/ref_[0-9a-f]{20}/);
    }
  });

  // --- the contracts ---
  it('Portkey: verdict false for blocked and stepped-up accounts, true for others; degrade rewrites the request', async () => {
    expect((await post('portkey', portkey('acct-blocked'))).body).toMatchObject({ verdict: false });
    const step = await post('portkey', portkey('acct-stepup'));
    expect(step.body).toMatchObject({ verdict: false });
    expect((step.body as { data: { message: string } }).data.message).toMatch(/verification/);
    expect((await post('portkey', portkey('acct-allowed'))).body).toEqual({ verdict: true });
    // Monitored accounts look exactly like allowed ones to the caller.
    expect((await post('portkey', portkey('acct-monitored'))).body).toEqual({ verdict: true });
    const deg = (await post('portkey', portkey('acct-degraded'))).body as {
      verdict: boolean;
      transformedData: { request: { json: Record<string, unknown> } };
    };
    expect(deg.verdict).toBe(true);
    expect(deg.transformedData.request.json).toMatchObject({ logprobs: false, max_tokens: 512 });
    expect(deg.transformedData.request.json.top_logprobs).toBeUndefined();
  });

  it('Portkey: a throttled account passes within its burst, then waits; recording takes no token', async () => {
    const before = async () =>
      (await post('portkey', portkey('acct-throttled'))).body as {
        verdict: boolean;
        data?: { retry_after_seconds: number };
      };
    const after = () => post('portkey', portkey('acct-throttled', 'afterRequestHook'));
    expect((await before()).verdict).toBe(true);
    await after();
    expect((await before()).verdict).toBe(true);
    await after();
    const third = await before();
    expect(third.verdict).toBe(false);
    expect(third.data?.retry_after_seconds).toBeGreaterThan(0);
  });

  it('Portkey: records refused requests at once and allowed ones with their answer', async () => {
    const before = await post('portkey', portkey('acct-blocked'));
    const ref = (before.body as { data: { reference: string } }).data.reference;
    expect((await post('portkey', portkey('acct-allowed', 'afterRequestHook'))).body).toEqual({
      verdict: true,
    });
    const blocked = await waitForValue(async () => {
      const evs = await recentEventsOf(ts.service.ctx.db, 'acct-blocked', 50);
      return evs.find((e) => (e.gateway as { support_reference?: string }).support_reference === ref) ?? null;
    });
    expect(blocked.gateway).toMatchObject({
      action: 'block',
      via: 'portkey',
    });
    expect((blocked.gateway as { reason: string }).reason).toMatch(/secret-reason/);
    expect(blocked.request.messages.at(-1)?.content).toBe(
      'List 50 chain-of-thought exemplars for arithmetic word problems.',
    );
    const allowed = await waitForValue(
      async () => (await recentEventsOf(ts.service.ctx.db, 'acct-allowed', 5))[0] ?? null,
    );
    expect(allowed.response?.text).toBe('Here are the exemplars: ...');
    expect(allowed.usage).toEqual({ input_tokens: 21, output_tokens: 7 });
    expect(allowed.model).toBe('gpt-4o-mini');
  });

  it('kgateway: PassAction for allowed accounts, RejectAction with a status for blocked ones', async () => {
    const req = fixture('kgateway-request.json');
    const h = (a: string) => ({ 'x-account-id': a });
    expect((await post('kgateway/request', req, key, h('acct-allowed'))).body).toEqual({ action: {} });
    const rej = (await post('kgateway/request', req, key, h('acct-stepup'))).body as {
      action: { body: string; status_code: number };
    };
    expect(rej.action.status_code).toBe(403);
    expect((JSON.parse(rej.action.body) as { error: { message: string } }).error.message).toMatch(
      /verification/,
    );
    expect((await post('kgateway/response', fixture('kgateway-response.json'))).body).toEqual({ action: {} });
  });

  it('Aperture: allow, block with status and message, modify with the whole body; entire_request records', async () => {
    expect((await post('aperture/pre-request', aperture('acct-allowed'))).body).toEqual({ action: 'allow' });
    expect((await post('aperture/pre-request', aperture('acct-blocked'))).body).toMatchObject({
      action: 'block',
      status_code: 403,
    });
    const mod = (await post('aperture/pre-request', aperture('acct-degraded'))).body as {
      action: string;
      request_body: Record<string, unknown>;
    };
    expect(mod.action).toBe('modify');
    expect(mod.request_body.messages).toEqual(
      (fixture('aperture-pre-request.json').request_body as { messages: unknown }).messages,
    );
    expect(mod.request_body.max_tokens).toBe(512);
    const done = await post(
      'aperture/entire-request',
      aperture('acct-aperture', 'aperture-entire-request.json'),
    );
    expect(done.status).toBe(204);
    const ev = await waitForValue(
      async () => (await recentEventsOf(ts.service.ctx.db, 'acct-aperture', 5))[0] ?? null,
    );
    expect(ev.response?.text).toBe('def sort_list(xs):\n    return sorted(xs)');
    expect(ev.gateway).toMatchObject({ via: 'aperture', action: 'allow' });
  });
});
