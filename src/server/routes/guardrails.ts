import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_RECORD_DEPTH, rejectTooDeep } from '../../ingest/index.js';
import { endpointOf, isObject, type Endpoint, type Json } from '../../gateway/index.js';
import type { ServiceContext } from '../context.js';
import type { Guardrails, Judgement } from '../guardrails.js';

/*
 * Guardrail webhooks of other gateways, each in its published contract:
 *  - Portkey AI Gateway's `default.webhook` check (tested against the real gateway from npm);
 *  - Gloo / kgateway AI Gateway's guardrail webhook (OpenAPI `AI Gateway GuardRail Webhook API`
 *    0.1.0: /request and /response; tested against the documented contract only);
 *  - Tailscale Aperture's hooks (`HookCallData` / `GuardrailResponse` of tailscale/aperture-recipes
 *    docs/protocol-reference.md; tested against the documented contract only).
 * Each body is validated with zod; a body or account that cannot be read gets the --guardrail-fail
 * verdict in the contract's own shape, never a 400 the gateway would treat by its own rule.
 */

const AccountId = z.string().trim().min(1).max(200);

/** Portkey: the hook context with request headers removed, plus eventType (plugins/default/webhook.ts). */
const PortkeyBody = z.looseObject({
  request: z.looseObject({ json: z.unknown().optional() }),
  response: z.looseObject({ json: z.unknown().optional() }).optional(),
  requestType: z.string().max(100).optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  eventType: z.enum(['beforeRequestHook', 'afterRequestHook']),
});

/** kgateway / Gloo: GuardrailsPromptRequest and GuardrailsResponseRequest. */
const KgMessage = z.looseObject({ role: z.string().max(100), content: z.string() });
const KgPromptRequest = z.looseObject({
  body: z.looseObject({ messages: z.array(KgMessage).max(10_000) }),
});
const KgResponseRequest = z.looseObject({
  body: z.looseObject({ choices: z.array(z.looseObject({ message: KgMessage })).max(1000) }),
});

/** Aperture: HookCallData (metadata always; request_body / response_body when the grant sends them). */
const ApertureBody = z.looseObject({
  metadata: z.looseObject({
    login_name: z.string().max(400).optional(),
    user_agent: z.string().max(1000).optional(),
    url: z.string().max(4000).optional(),
  }),
  request_body: z.unknown().optional(),
  response_body: z.unknown().optional(),
});

/**
 * `?mode=flag` on the webhook URL: the hook runs flag-only (Portkey `deny: false`), so a decision
 * other than allow is a failed verdict Portkey lets through and answers 246; the after-request
 * hook records such exchanges as flagged. Anything else than `enforce` (the default) or `flag` is
 * a misconfiguration, answered with the fail verdict.
 */
const PortkeyQuery = z.looseObject({ mode: z.enum(['enforce', 'flag']).optional() });

/** Which model endpoint a Portkey requestType is; others (embed, images...) are judged, not recorded. */
const PORTKEY_ENDPOINTS: Record<string, Endpoint> = {
  chatComplete: 'chat.completions',
  messages: 'chat.completions',
  complete: 'completions',
};

/** A JSON object within the depth bound, or null (the body is then unreadable). */
function readBody(req: FastifyRequest): unknown {
  if (!Buffer.isBuffer(req.body)) return null;
  let v: unknown;
  try {
    v = JSON.parse(req.body.toString('utf8'));
  } catch {
    return null;
  }
  // The request body inside is copied, degraded and serialised: bound its depth first.
  return rejectTooDeep(v, MAX_RECORD_DEPTH + 4) ? null : v;
}

const accountIn = (v: unknown): string | null => {
  const r = AccountId.safeParse(v);
  return r.success ? r.data : null;
};

function headerAccount(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' ? accountIn(v) : null;
}

export function guardrailRoutes(ctx: ServiceContext, g: Guardrails) {
  const s = g.settings;
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    // Raw bytes, parsed in the handler: an unreadable body gets the contract's fail verdict.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: s.bodyBytes }, (_req, body, next) =>
      next(null, body),
    );
    // An oversized body is "cannot be read" too; every other error (auth, rate) keeps its answer.
    app.setErrorHandler((err: FastifyError, req, reply) => {
      if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
      const unsure = g.unsure();
      return reply.send(unsureAnswer(req, unsure));
    });
    const opts = (summary: string) => ({
      config: {
        roles: ['enforcement'] as const,
        rateLimit: { max: ctx.limits.decisionRatePerMinute, timeWindow: 60_000 },
      },
      bodyLimit: s.bodyBytes,
      schema: { tags: ['guardrails'], summary },
    });

    // The webhooks that answer with a verdict: path, OpenAPI summary, hook.
    const verdictHooks: [string, string, (g: Guardrails, req: FastifyRequest) => Json][] = [
      [
        '/v1/guardrails/portkey',
        "Portkey AI Gateway webhook guardrail: {verdict, data?, transformedData?} from the account's decision",
        portkeyHook,
      ],
      [
        '/v1/guardrails/kgateway/request',
        'kgateway / Gloo AI Gateway guardrail webhook, prompt side: PassAction or RejectAction',
        kgatewayPromptHook,
      ],
      [
        '/v1/guardrails/kgateway/response',
        'kgateway / Gloo AI Gateway guardrail webhook, response side: PassAction; records the answer',
        kgatewayResponseHook,
      ],
      [
        '/v1/guardrails/aperture/pre-request',
        'Tailscale Aperture pre_request hook: GuardrailResponse allow, block or modify',
        aperturePreRequestHook,
      ],
    ];
    for (const [path, summary, hook] of verdictHooks) app.post(path, opts(summary), (req) => hook(g, req));
    app.post(
      '/v1/guardrails/aperture/entire-request',
      opts('Tailscale Aperture entire_request hook: records the exchange (Aperture ignores the answer)'),
      (req, reply) => {
        apertureEntireRequestHook(g, req);
        return reply.status(204).send();
      },
    );
    done();
  };
}

/** Portkey: judged before the request, recorded after it (with the answer) unless refused. */
function portkeyHook(g: Guardrails, req: FastifyRequest): Json {
  const query = PortkeyQuery.safeParse(req.query);
  const parsed = PortkeyBody.safeParse(readBody(req));
  if (!query.success || !parsed.success) return portkeyAnswer(g.unsure(), 'beforeRequestHook');
  const flagOnly = query.data.mode === 'flag';
  const b = parsed.data;
  const accountId = accountIn(b.metadata?.[g.settings.accountKey]);
  const endpoint = b.requestType ? (PORTKEY_ENDPOINTS[b.requestType] ?? null) : null;
  const body = isObject(b.request.json) ? b.request.json : null;
  if (b.eventType === 'afterRequestHook') {
    // The exchange is complete (Portkey calls this hook on 200 answers only): recorded with the
    // answer, a canary planted in it for a watched account; the verdict was given before.
    if (!accountId || !endpoint || !body) return { verdict: true };
    const response = isObject(b.response?.json) ? b.response.json : undefined;
    const answer = g.served({
      accountId,
      via: 'portkey',
      endpoint,
      body,
      response,
      flagged: flagOnly,
      canModify: true,
    });
    // With canaries on, every answer goes back (changed or not): Portkey shows the client whether
    // a hook transformed its answer, so only some coming back would point out the watched ones. A
    // degraded answer goes back changed either way (its request hook already said transformed).
    return answer && (g.rewritesAnswers || answer !== response)
      ? { verdict: true, transformedData: { response: { json: answer } } }
      : { verdict: true };
  }
  // Flag-only: nothing refused, so nothing recorded now; the after-request hook records it.
  if (flagOnly) return portkeyAnswer(g.flag(accountId), b.eventType);
  // Allowed requests are recorded by the afterRequestHook, with the answer.
  return portkeyAnswer(g.judgeBefore('portkey', accountId, endpoint, body), b.eventType);
}

/** kgateway prompt side: the account comes from a header, the prompt is judged and recorded. */
function kgatewayPromptHook(g: Guardrails, req: FastifyRequest): Json {
  const parsed = KgPromptRequest.safeParse(readBody(req));
  const accountId = headerAccount(req, g.settings.accountHeader);
  if (!parsed.success || !accountId) return kgatewayAnswer(g.unsure());
  const body: Json = { messages: parsed.data.body.messages };
  // The contract carries the messages only: degrade (request parameters) cannot apply here.
  const j = g.judge(accountId, null, null);
  const x = {
    accountId,
    via: 'kgateway',
    endpoint: 'chat.completions' as const,
    body,
    judgement: j,
    reason: g.reasonOf(accountId),
    userAgent: userAgent(req),
  };
  // A refusal is recorded now; a prompt let through waits (bounded) for its /response call.
  if (j.kind === 'refuse') g.record(x);
  else g.awaitAnswer(x);
  return kgatewayAnswer(j);
}

/**
 * kgateway response side: the answer names no request, so it is joined to the oldest waiting
 * prompt of the account in the account header (when the gateway sends one); nothing to enforce.
 */
function kgatewayResponseHook(g: Guardrails, req: FastifyRequest): Json {
  const parsed = KgResponseRequest.safeParse(readBody(req));
  const accountId = headerAccount(req, g.settings.accountHeader);
  if (parsed.success && accountId) g.answered(accountId, { choices: parsed.data.body.choices });
  return { action: {} };
}

/** Aperture pre_request: judged now; only a refusal is recorded (entire_request records the rest). */
function aperturePreRequestHook(g: Guardrails, req: FastifyRequest): Json {
  const parsed = ApertureBody.safeParse(readBody(req));
  if (!parsed.success) return apertureAnswer(g.unsure());
  const b = parsed.data;
  const accountId = accountIn(b.metadata.login_name);
  const body = isObject(b.request_body) ? b.request_body : null;
  const endpoint = apertureEndpoint(b.metadata.url, body);
  return apertureAnswer(g.judgeBefore('aperture', accountId, endpoint, body, b.metadata.user_agent));
}

/** Aperture entire_request: the complete exchange, recorded as passed (failed calls with their error). */
function apertureEntireRequestHook(g: Guardrails, req: FastifyRequest): void {
  const parsed = ApertureBody.safeParse(readBody(req));
  if (!parsed.success) return;
  const b = parsed.data;
  const accountId = accountIn(b.metadata.login_name);
  const body = isObject(b.request_body) ? b.request_body : null;
  const endpoint = apertureEndpoint(b.metadata.url, body);
  if (!accountId || !body || !endpoint) return;
  const response = isObject(b.response_body) ? b.response_body : undefined;
  const upstreamError = response ? providerError(response) : undefined;
  g.served({
    accountId,
    via: 'aperture',
    endpoint,
    body,
    response: upstreamError === undefined ? response : undefined,
    upstreamError,
    userAgent: b.metadata.user_agent,
  });
}

/**
 * The error a provider-native body reports, if it is an error body: OpenAI `{error: {message}}`,
 * Anthropic `{type: "error", error: {type, message}}`, Gemini `{error: {code, message, status}}`.
 */
function providerError(r: Json): string | undefined {
  const e = r.error;
  if (!isObject(e) || (r.type !== undefined && r.type !== 'error') || 'choices' in r || 'content' in r)
    return undefined;
  const kind = typeof e.type === 'string' ? e.type : typeof e.status === 'string' ? e.status : 'error';
  return typeof e.message === 'string' ? `${kind}: ${e.message}` : kind;
}

function userAgent(req: FastifyRequest): string | undefined {
  const v = req.headers['user-agent'];
  return typeof v === 'string' ? v : undefined;
}

/** Aperture forwards provider-native bodies: OpenAI paths by name, anything with messages as chat. */
function apertureEndpoint(url: string | undefined, body: Json | null): Endpoint | null {
  let path = '';
  try {
    path = url ? new URL(url).pathname : '';
  } catch {
    path = '';
  }
  const e = endpointOf('POST', path);
  if (e) return e;
  return body && Array.isArray(body.messages) ? 'chat.completions' : null;
}

/** Portkey reads `verdict`; `data` is shown to the end user in hook_results, so it holds only the reference. */
function portkeyAnswer(j: Judgement, eventType: 'beforeRequestHook' | 'afterRequestHook'): Json {
  if (j.kind === 'allow') return { verdict: true };
  // Flagged: Portkey shows the client hook_results, so the answer carries nothing but the verdict.
  if (j.kind === 'flag') return { verdict: false };
  if (j.kind === 'modify')
    return eventType === 'beforeRequestHook'
      ? { verdict: true, transformedData: { request: { json: j.body } } }
      : { verdict: true };
  return {
    verdict: false,
    data: {
      message: j.message,
      reference: j.reference,
      ...(j.retryAfterSeconds !== undefined ? { retry_after_seconds: j.retryAfterSeconds } : {}),
    },
  };
}

/** kgateway: PassAction `{}` or RejectAction `{body, status_code}`; no MaskAction (degrade needs parameters). */
function kgatewayAnswer(j: Judgement): Json {
  if (j.kind !== 'refuse') return { action: {} };
  return {
    action: {
      body: JSON.stringify({ error: { message: j.message, reference: j.reference } }),
      status_code: j.status,
    },
  };
}

/** Aperture: GuardrailResponse `{action: allow | block | modify, status_code?, message?, request_body?}`. */
function apertureAnswer(j: Judgement): Json {
  if (j.kind === 'allow' || j.kind === 'flag') return { action: 'allow' };
  if (j.kind === 'modify') return { action: 'modify', request_body: j.body };
  return { action: 'block', status_code: j.status, message: `${j.message} (reference ${j.reference})` };
}

/** The fail verdict for an oversized body, in the shape of the route's contract. */
function unsureAnswer(req: FastifyRequest, j: Judgement): Json {
  const url = req.routeOptions.url ?? '';
  if (url.endsWith('/portkey')) return portkeyAnswer(j, 'beforeRequestHook');
  if (url.includes('/kgateway/'))
    return kgatewayAnswer(url.endsWith('/response') ? { kind: 'allow', action: 'allow' } : j);
  return apertureAnswer(j);
}
