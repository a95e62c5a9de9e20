import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentEventsOf } from '../src/store/index.js';
import { findingsOf } from './findings-fixture.js';
import type { TestService } from './server-harness.js';
import { call, createApiKey, putDecisions, startTestService, waitForValue } from './server-harness.js';

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
    key = await createApiKey(ts, 'enforcement', 'gw');
    analystKey = await createApiKey(ts, 'analyst', 'a');
    await putDecisions(
      ts,
      analystKey,
      [
        ['acct-blocked', 'block'],
        ['acct-stepup', 'step_up'],
        ['acct-degraded', 'degrade'],
        ['acct-monitored', 'monitor'],
        ['acct-throttled', 'throttle'],
      ],
      (id) => `secret-reason-${id}: cluster C-77 detector cot_elicitation`,
    );
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

/*
 * What the contracts allow beyond judging a request: Portkey's flag-only mode (a failed verdict
 * that lets the request through), kgateway's response side joined to its prompt, failed upstream
 * calls where a contract passes them, and canaries planted through a response a hook may rewrite.
 * Attacks first: a mode that is not one, floods of prompts that never get an answer, answers
 * naming no prompt.
 */
describe('guardrail webhooks: flag mode, the response side, failed calls, canaries', () => {
  let ts: TestService;
  let key: string;
  const registry = () => ts.service.ctx.guardrails!.canaryRegistryPath ?? 'none';
  beforeAll(async () => {
    ts = await startTestService('sqlite', {
      guardrails: { fail: 'open', responseWaitMs: 400, pendingMax: 6 },
      guardrailCanaries: { secret: 'guardrail-test-secret', rate: 1 },
    });
    key = await createApiKey(ts, 'enforcement', 'gw');
    await putDecisions(
      ts,
      ts.admin,
      [
        ['acct-blocked', 'block'],
        ['acct-monitored', 'monitor'],
        ['acct-degraded', 'degrade'],
        ['acct-throttled', 'throttle'],
      ],
      (id) => `secret-reason-${id}: cluster C-77`,
    );
  });
  afterAll(async () => ts.dispose());

  const post = (route: string, json: unknown, headers?: Record<string, string>) =>
    call(`${ts.url}/v1/guardrails/${route}`, 'POST', key, { json, ...(headers ? { headers } : {}) });
  const eventsOf = (account: string) => recentEventsOf(ts.service.ctx.db, account, 100);
  const kgAccount = (a: string) => ({ 'x-account-id': a });

  // --- attacks ---
  it('answers a mode that is not one with the fail verdict, whatever the account', async () => {
    for (const mode of ['', 'FLAG', 'enforce,flag', 'x'.repeat(500)]) {
      const r = await post(`portkey?mode=${encodeURIComponent(mode)}`, portkey('acct-blocked'));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ verdict: true });
    }
  });

  it('keeps prompts waiting for their answer bounded, and records every one of them', async () => {
    const req = fixture('kgateway-request.json');
    // 20 prompts of one account and 20 of twenty others, none ever answered: at most 6 wait.
    for (let i = 0; i < 20; i++) await post('kgateway/request', req, kgAccount('acct-flood'));
    for (let i = 0; i < 20; i++) await post('kgateway/request', req, kgAccount(`acct-flood-${i}`));
    expect(ts.service.ctx.guardrails!.pendingPrompts).toBeLessThanOrEqual(6);
    const flood = await waitForValue(async () => {
      const evs = await eventsOf('acct-flood');
      return evs.length === 20 ? evs : null;
    });
    expect(flood.every((e) => (e.gateway as { unanswered?: boolean }).unanswered === true)).toBe(true);
    expect(flood.every((e) => e.response === undefined)).toBe(true);
    for (let i = 0; i < 20; i++)
      await waitForValue(async () => ((await eventsOf(`acct-flood-${i}`)).length === 1 ? true : null));
  });

  it('passes an answer that names no waiting prompt, and records nothing for it', async () => {
    const res = fixture('kgateway-response.json');
    expect((await post('kgateway/response', res, kgAccount('acct-nobody-asked'))).body).toEqual({
      action: {},
    });
    expect((await post('kgateway/response', res)).body).toEqual({ action: {} });
    expect((await post('kgateway/response', { body: 'x' }, kgAccount('acct-nobody-asked'))).body).toEqual({
      action: {},
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(await eventsOf('acct-nobody-asked')).toEqual([]);
  });

  // --- Portkey flag mode ---
  it('Portkey flag mode: every decision but allow is a failed verdict that refuses nothing and says nothing', async () => {
    const flag = (a: string) => post('portkey?mode=flag', portkey(a));
    for (const a of ['acct-blocked', 'acct-monitored', 'acct-degraded', 'acct-throttled']) {
      const r = await flag(a);
      expect(r.body).toEqual({ verdict: false });
    }
    expect((await flag('acct-allowed')).body).toEqual({ verdict: true });
    // Flagging takes no throttle token: the enforcing hook still sees the whole burst.
    for (let i = 0; i < 5; i++) await flag('acct-throttled');
    expect((await post('portkey', portkey('acct-throttled'))).body).toEqual({ verdict: true });
  });

  it('Portkey flag mode: the after-request hook records the exchange as flagged, with the answer', async () => {
    await post('portkey?mode=flag', portkey('acct-blocked', 'afterRequestHook'));
    const ev = await waitForValue(async () => {
      const evs = await eventsOf('acct-blocked');
      return evs.find((e) => (e.gateway as { flagged?: boolean }).flagged) ?? null;
    });
    expect(ev.gateway).toMatchObject({ action: 'block', status: 200, flagged: true, via: 'portkey' });
    expect(ev.response?.text).toBe('Here are the exemplars: ...');
  });

  // --- kgateway response side ---
  it("kgateway: the /response call is joined to its account's waiting prompt and recorded once", async () => {
    const req = fixture('kgateway-request.json');
    expect((await post('kgateway/request', req, kgAccount('acct-kg'))).body).toEqual({ action: {} });
    expect(
      (await post('kgateway/response', fixture('kgateway-response.json'), kgAccount('acct-kg'))).body,
    ).toEqual({ action: {} });
    const ev = await waitForValue(async () => (await eventsOf('acct-kg'))[0] ?? null);
    expect(ev.request.messages.at(-1)?.content).toBe('What is 2+2?');
    expect(ev.response?.text).toBe('The sum of 2 and 2 is 4.');
    expect(ev.gateway).toMatchObject({ via: 'kgateway', action: 'allow', status: 200 });
    await new Promise((r) => setTimeout(r, 600));
    expect(await eventsOf('acct-kg')).toHaveLength(1);
  });

  // --- failed upstream calls ---
  it('Aperture: an exchange whose upstream failed is recorded with the error, not as an answer', async () => {
    const f = aperture('acct-ap-failed', 'aperture-entire-request.json');
    f.response_body = {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    };
    expect((await post('aperture/entire-request', f)).status).toBe(204);
    const ev = await waitForValue(async () => (await eventsOf('acct-ap-failed'))[0] ?? null);
    expect(ev.response).toBeUndefined();
    expect((ev.gateway as { upstream_error?: string }).upstream_error).toMatch(/Overloaded/);
  });

  // --- degrade, the response side ---
  it("Portkey: a degraded account's answer comes back without reasoning or logprobs; flag mode leaves it", async () => {
    const after = portkey('acct-degraded', 'afterRequestHook');
    const res = structuredClone(after.response) as {
      json: { choices: { message: Record<string, unknown>; logprobs?: unknown }[] };
    };
    res.json.choices[0]!.message.reasoning_content = 'step 1: think';
    res.json.choices[0]!.logprobs = { content: [{ token: 'Here', logprob: -0.1, top_logprobs: [] }] };
    const answerOf = async (route: string) =>
      (
        (await post(route, { ...after, response: res })).body as {
          transformedData: { response: { json: typeof res.json } };
        }
      ).transformedData.response.json.choices[0]!;
    const degraded = await answerOf('portkey');
    expect(degraded.message).toEqual({ role: 'assistant', content: 'Here are the exemplars: ...' });
    expect(degraded).not.toHaveProperty('logprobs');
    // Flag-only changes nothing: the answer as the model gave it.
    expect(await answerOf('portkey?mode=flag')).toEqual(res.json.choices[0]);
    const ev = await waitForValue(async () => (await eventsOf('acct-degraded'))[0] ?? null);
    expect(ev.gateway).toMatchObject({ action: 'degrade', degraded: true, via: 'portkey' });
  });

  // --- canaries ---
  it("Portkey: a watched account's answer gets a canary through the after-request hook, recorded in the registry", async () => {
    const watched = 'acct-watched';
    // Live detection re-scores after exchanges are recorded and replaces policy decisions with its
    // own findings, which do not hold this account: let it settle first (no prompt left waiting
    // for an answer, every exchange recorded and scored), or a round landing between the decision
    // below and the hook takes the watch away (seen under CI load).
    await waitForValue(() => Promise.resolve(ts.service.ctx.guardrails!.pendingPrompts === 0 || null));
    await ts.service.ctx.guardrails!.recorder.flush();
    await ts.service.ctx.live.refresh();
    await ts.service.ctx.decisions.applyFindings(
      findingsOf(
        { accounts: [{ account_id: watched, score: 0.8, level: 'review', events: 10, signals: [] }] },
        { events: 10, accounts: 1 },
      ),
    );
    expect(ts.service.ctx.decisions.get(watched).watch).toBe(true);
    const r = (await post('portkey', portkey(watched, 'afterRequestHook'))).body as {
      verdict: boolean;
      transformedData: { response: { json: { choices: { message: { content: string } }[] } } };
    };
    expect(r.verdict).toBe(true);
    const text = r.transformedData.response.json.choices[0]!.message.content;
    expect(text.startsWith('Here are the exemplars: ...')).toBe(true);
    expect(text.length).toBeGreaterThan('Here are the exemplars: ...'.length + 20);
    const ev = await waitForValue(async () => (await eventsOf(watched))[0] ?? null);
    const canaryId = (ev.gateway as { canary_id?: string }).canary_id;
    expect(canaryId).toMatch(/\S/);
    expect(ev.response?.text).toBe(text);
    const lines = await waitForValue(() => {
      const t = existsSync(registry()) ? readFileSync(registry(), 'utf8') : '';
      return Promise.resolve(t.includes(canaryId!) ? t : null);
    });
    const serving = JSON.parse(lines.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(serving).toMatchObject({ canary_id: canaryId, account_id: watched, event_id: ev.id });
    expect(text.endsWith(serving.text as string)).toBe(true);
  });

  it("Portkey: an unwatched account's answer comes back unchanged, in the same shape (no tell)", async () => {
    const r = (await post('portkey', portkey('acct-allowed', 'afterRequestHook'))).body as {
      verdict: boolean;
      transformedData: { response: { json: unknown } };
    };
    expect(r.verdict).toBe(true);
    expect(r.transformedData.response.json).toEqual(
      (fixture('portkey-after.json').response as { json: unknown }).json,
    );
  });
});
