import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { GATEWAY_DEFAULTS } from '../contracts/index.js';
import type { CanaryGenerator, CanaryRegistry } from '../respond/index.js';
import { keyHeaders, presentedKeys, type AccountResolver, type Caller } from './accounts.js';
import { ClientLink } from './client-link.js';
import type { DecisionCache } from './decision-cache.js';
import type { EffectiveDecision } from './effective-decision.js';
import { DEFAULT_DEGRADE_MAX_TOKENS, degradeRequest } from './degrade.js';
import {
  blockedBody,
  conflictingCredentialsBody,
  internalErrorBody,
  newSupportReference,
  overloadedBody,
  tooLargeBody,
  stepUpBody,
  throttledBody,
  upstreamInterruptedBody,
  upstreamTimeoutBody,
  upstreamUnavailableBody,
  type GatewayErrorBody,
} from './error-bodies.js';
import {
  buildEvent,
  endpointOf,
  isObject,
  isoNow,
  lastUserText,
  parseJsonObject,
  requestMessages,
  type Endpoint,
  type GatewayAnnotation,
  type Json,
  type ResponseSummary,
} from './exchange.js';
import type { EventRecorder } from './recorder.js';
import { SseFramer, type SseEvent } from './sse.js';
import { ResponseShaper } from './shaper.js';
import { Throttle } from './throttle.js';
import { UpstreamSlots } from './upstream-slots.js';

export interface CanaryOptions {
  generator: CanaryGenerator;
  registry: CanaryRegistry;
  /** Share of watched answers that carry a canary (0..1]. */
  rate: number;
  /** Keep the prompt of each serving in the registry for the probe (default true). */
  recordPrompts?: boolean;
}

export interface GatewayLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Bounds on the gateway's use of its upstream (docs/gateway.md); defaults in GATEWAY_DEFAULTS (contracts). */
export interface UpstreamBounds {
  /** Connections to the upstream, which is also the most requests in flight to it. */
  upstreamConnections?: number;
  /** Requests that may wait for a free upstream connection; more get 503 at once. */
  upstreamQueue?: number;
  /** How long a request waits for a free upstream connection before its 503. */
  upstreamQueueWaitMs?: number;
  /** Time to open a connection to the upstream. */
  upstreamConnectTimeoutMs?: number;
  /** Time from sending the request to the upstream's response headers. */
  upstreamHeadersTimeoutMs?: number;
  /**
   * Longest silence between two chunks of the upstream's body, and longest a client may leave
   * written bytes unread (a client that stops reading would otherwise hold the upstream forever).
   */
  upstreamIdleTimeoutMs?: number;
}

export interface GatewayOptions extends UpstreamBounds {
  /** Upstream base URL, e.g. https://api.openai.com (request paths are appended as received). */
  upstream: string;
  decisions: DecisionCache;
  accounts: AccountResolver;
  recorder: EventRecorder;
  canary?: CanaryOptions;
  throttle?: Throttle;
  degradeMaxTokens?: number;
  verificationUrl?: string;
  /** Take the client IP from X-Forwarded-For (only behind a proxy that sets it). */
  trustForwardedFor?: boolean;
  maxBodyBytes?: number;
  log?: GatewayLog;
  random?: () => number;
}

/**
 * Defaults for the upstream bounds (docs/gateway.md). Headers may take minutes: a non-streamed
 * answer only starts once the model has finished. A stream may be silent while a model reasons.
 */
export const DEFAULT_UPSTREAM_LIMITS = {
  connections: GATEWAY_DEFAULTS.upstreamConnections,
  queue: GATEWAY_DEFAULTS.upstreamQueue,
  queueWaitMs: GATEWAY_DEFAULTS.upstreamQueueWait * 1000,
  connectTimeoutMs: GATEWAY_DEFAULTS.upstreamConnectTimeout * 1000,
  headersTimeoutMs: GATEWAY_DEFAULTS.upstreamHeadersTimeout * 1000,
  idleTimeoutMs: GATEWAY_DEFAULTS.upstreamIdleTimeout * 1000,
} as const;

type UpstreamLimits = { -readonly [K in keyof typeof DEFAULT_UPSTREAM_LIMITS]: number };

const OVERLOADED_RETRY_AFTER_S = 1;

interface UpstreamFailure {
  status: 502 | 504;
  body: GatewayErrorBody;
  /** What the event records. */
  detail: string;
  /** The support reference the caller gets, recorded beside the detail. */
  ref: string;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * DistillGuard's own headers never cross the gateway: a client's `X-Account-Id` is a claim meant
 * for the gateway alone (trusted only with --trust-account-header), not for the upstream.
 */
const isInternalHeader = (k: string): boolean => k === 'x-account-id' || k.startsWith('x-distillguard-');

function forwardHeaders(src: HeaderBag, drop: Set<string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // for-in over own keys (header bags have no enumerable inherited ones), in Object.entries' order:
  // the pairs array Object.entries built twice per request was most of this function's cost.
  for (const k in src) {
    const v = src[k];
    if (v === undefined || HOP_BY_HOP.has(k) || drop.has(k) || isInternalHeader(k)) continue;
    out[k] = v;
  }
  return out;
}

const NO_DROP = new Set<string>();
const DROP_ENCODING = new Set(['accept-encoding', 'content-encoding']);

class BodyTooLarge extends Error {}

/** Structured-output requests (JSON mode, JSON schema) get no canary: it would break the format. */
export function wantsProse(body: Json): boolean {
  const format = isObject(body.response_format)
    ? body.response_format.type
    : isObject(body.text) && isObject(body.text.format)
      ? body.text.format.type
      : undefined;
  return format !== 'json_object' && format !== 'json_schema';
}

const prematureClose = (): Error =>
  Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
/** What undici's `body.text()` rejected with when the body closed before its end. */
const requestAborted = (): Error => Object.assign(new Error('Request aborted'), { code: 'UND_ERR_ABORTED' });

/**
 * The whole body of `req`, at most `limit` bytes (over it: the stream is destroyed and BodyTooLarge
 * thrown). Plain 'data'/'end' listeners: an async iterator per request costs several times more,
 * and undici's `body.text()` (its consume machinery and promise) was ~10 µs of an answer's CPU.
 */
function readBody(req: Readable, limit: number, closedEarly: () => Error = prematureClose): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.destroy();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    // Closed before its end (the client left mid-body): what the async iterator reported too.
    const onClose = (): void => {
      done();
      reject(closedEarly());
    };
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** UTF-8 text without a leading byte order mark, as undici's `body.text()` decoded it. */
function utf8Text(buf: Buffer): string {
  const bom = buf.length > 2 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  return buf.toString('utf8', bom ? 3 : 0);
}

/**
 * Each chunk of `body`, transformed, to the client as it comes; the body waits (paused) while the
 * client has not taken the last write. Rejects on the body's error, its closing early, a throw of
 * `each`, or the client leaving or stalling (ClientGone). Listeners rather than an async iterator
 * and a promise per chunk: this runs for every chunk of every streamed answer.
 */
function relay(body: Readable, each: (chunk: Buffer) => string, client: ClientLink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let waiting = false;
    let ended = false;
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onData = (chunk: Buffer): void => {
      try {
        const out = each(chunk);
        if (out === '' || client.writeNow(out)) return;
      } catch (err) {
        settle(err as Error);
        return;
      }
      waiting = true;
      body.pause();
      client.drained().then(
        () => {
          waiting = false;
          if (ended) settle();
          else body.resume();
        },
        (err: unknown) => settle(err as Error),
      );
    };
    const onEnd = (): void => {
      ended = true;
      if (!waiting) settle();
    };
    const onClose = (): void => {
      if (!ended) settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', settle);
    body.on('close', onClose);
  });
}

interface Exchange {
  id: string;
  ts: string;
  started: number;
  caller: Caller;
  decision: EffectiveDecision;
  endpoint: Endpoint;
  body: Json;
  req: IncomingMessage;
}

/** Who is calling. */
interface Identity {
  caller: Caller;
  /** How many keys the request presented when they disagree (refused: fail closed); else null. */
  conflictingKeys: number | null;
}

interface RequestBody {
  raw: Buffer;
  /** The request came gzipped and `raw` is inflated: its encoding headers must not go upstream. */
  decoded: boolean;
  /** A model endpoint's JSON body; null elsewhere, or when it does not parse. */
  json: Json | null;
}

/** The request as the upstream gets it, once the decision lets it through. */
interface Outbound {
  url: string;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
  degrade: boolean;
  canary: { canary_id: string; text: string } | null;
}

/** What `/_gateway/healthz` counts. */
const newCounts = () => ({
  requests: 0,
  blocked: 0,
  throttled: 0,
  step_up: 0,
  credential_conflicts: 0,
  degraded: 0,
  canaries: 0,
  upstream_errors: 0,
  overloaded: 0,
  client_aborted: 0,
});
type Counter = keyof ReturnType<typeof newCounts>;

/** An answer the gateway gives itself, without calling the upstream. */
interface Refusal {
  counter: Counter;
  status: number;
  body: GatewayErrorBody;
  headers: Record<string, string>;
  audit: Partial<GatewayAnnotation> & { support_reference: string };
}

type UpstreamResponse = Awaited<ReturnType<Pool['request']>>;

/** One model exchange's answer on its way from the upstream to the client. */
interface Answering {
  res: ServerResponse;
  upstream: UpstreamResponse;
  headers: Record<string, string | string[]>;
  client: ClientLink;
  ex: Exchange;
  shaper: ResponseShaper;
  annotation: GatewayAnnotation;
}

/**
 * The OpenAI-compatible reverse proxy: identifies the account, enforces its decision, forwards to
 * the upstream, streams the answer back event by event, embeds canaries for watched accounts, and
 * records every model exchange as an API event.
 */
export class Gateway {
  readonly server: Server;
  private readonly pool: Pool;
  private readonly slots: UpstreamSlots;
  private readonly limits: UpstreamLimits;
  private readonly basePath: string;
  private readonly throttle: Throttle;
  private readonly maxBody: number;
  private readonly random: () => number;
  private readonly counts = newCounts();

  constructor(private readonly opts: GatewayOptions) {
    const u = new URL(opts.upstream);
    this.basePath = u.pathname.replace(/\/+$/, '');
    const d = DEFAULT_UPSTREAM_LIMITS;
    this.limits = {
      connections: opts.upstreamConnections ?? d.connections,
      queue: opts.upstreamQueue ?? d.queue,
      // Whole milliseconds: undici takes nothing else.
      queueWaitMs: Math.ceil(opts.upstreamQueueWaitMs ?? d.queueWaitMs),
      connectTimeoutMs: Math.ceil(opts.upstreamConnectTimeoutMs ?? d.connectTimeoutMs),
      headersTimeoutMs: Math.ceil(opts.upstreamHeadersTimeoutMs ?? d.headersTimeoutMs),
      idleTimeoutMs: Math.ceil(opts.upstreamIdleTimeoutMs ?? d.idleTimeoutMs),
    };
    this.pool = new Pool(u.origin, {
      connections: this.limits.connections,
      keepAliveTimeout: 30_000,
      connectTimeout: this.limits.connectTimeoutMs,
      headersTimeout: this.limits.headersTimeoutMs,
      bodyTimeout: this.limits.idleTimeoutMs,
    });
    // At most one request per connection: the pool's own queue has no bound and no deadline.
    this.slots = new UpstreamSlots(this.limits.connections, this.limits.queue, this.limits.queueWaitMs);
    this.throttle = opts.throttle ?? new Throttle();
    this.maxBody = opts.maxBodyBytes ?? 20 * 1024 * 1024;
    this.random = opts.random ?? Math.random;
    this.server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.opts.log?.error({ err }, 'gateway request failed');
        if (!res.headersSent) this.sendJson(res, 500, internalErrorBody());
        else res.destroy();
      });
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Stop accepting, finish in-flight exchanges, flush events and the canary registry. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    this.opts.decisions.stopSync();
    await this.pool.close();
    await this.opts.recorder.close();
    await this.opts.canary?.registry.close();
  }

  get stats(): Record<string, unknown> {
    return {
      ...this.counts,
      upstream_in_flight: this.slots.inUse,
      upstream_waiting: this.slots.waitingCount,
      events: this.opts.recorder.stats,
      decisions_cached: this.opts.decisions.size,
    };
  }

  /** One request: identify the account, decide, read the body, refuse or shape it, forward. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/_gateway/healthz') {
      this.sendJson(res, 200, { ok: true, ...this.stats });
      return;
    }
    this.counts.requests++;
    const identity = this.identify(req, url);
    const decision = this.opts.decisions.get(identity.caller.account_id);
    const endpoint = endpointOf(req.method ?? 'GET', url);
    const body = await this.readRequest(req, res, endpoint !== null);
    if (!body) return;
    const ex: Exchange | null =
      endpoint && body.json
        ? {
            id: `gw-${randomUUID()}`,
            ts: isoNow(),
            started,
            caller: identity.caller,
            decision,
            endpoint,
            body: body.json,
            req,
          }
        : null;
    const refusal = this.refusal(identity, decision);
    if (refusal) {
      this.counts[refusal.counter]++;
      this.refuse(res, ex, refusal.status, refusal.body, refusal.headers, refusal.audit);
      return;
    }
    await this.forwardInSlot(req, res, this.outbound(req, url, ex, decision, body), ex);
  }

  /** The account behind the request's keys (or its trusted `X-Account-Id` claim). */
  private identify(req: IncomingMessage, url: string): Identity {
    const accountHeader = req.headers['x-account-id'];
    const claimed = Array.isArray(accountHeader) ? accountHeader[0] : accountHeader;
    // Every key the request carries, wherever an upstream may read it (Bearer, Basic, api-key, ...).
    const keys = presentedKeys(keyHeaders(req.rawHeaders), url, (k) => this.opts.accounts.knows(k));
    const resolved = this.opts.accounts.resolve(keys, claimed);
    if (resolved) return { caller: resolved, conflictingKeys: null };
    // Two different keys: refused; the event is recorded under the first one.
    return { caller: this.opts.accounts.resolve(keys.slice(0, 1), claimed)!, conflictingKeys: keys.length };
  }

  /** The body, inflated if gzipped and parsed if `json`; null once a 413 has answered. */
  private async readRequest(
    req: IncomingMessage,
    res: ServerResponse,
    json: boolean,
  ): Promise<RequestBody | null> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        this.sendJson(res, 413, tooLargeBody(this.maxBody));
        return null;
      }
      throw err;
    }
    let decoded = false;
    if (req.headers['content-encoding'] === 'gzip' && raw.length > 0) {
      try {
        raw = gunzipSync(raw, { maxOutputLength: this.maxBody });
        decoded = true;
      } catch (err) {
        if (err instanceof RangeError) {
          this.sendJson(res, 413, tooLargeBody(this.maxBody));
          return null;
        }
        // Not gzip after all: forward as received and let the upstream answer.
      }
    }
    // An unparsable body goes upstream as is; the upstream's 400 passes back to the caller.
    return { raw, decoded, json: json ? parseJsonObject(raw.toString('utf8')) : null };
  }

  /**
   * Enforcement that answers without calling the upstream, or null to forward. The caller gets a
   * code and a reference; the reason stays with the reference in the event (or the log).
   */
  private refusal(identity: Identity, decision: EffectiveDecision): Refusal | null {
    const ref = (): string => newSupportReference();
    const audit = (support_reference: string) => ({
      action: decision.action,
      reason: decision.reason,
      support_reference,
    });
    if (identity.conflictingKeys !== null) {
      const r = ref();
      return {
        counter: 'credential_conflicts',
        status: 401,
        body: conflictingCredentialsBody(r),
        headers: {},
        audit: {
          action: 'refuse',
          reason: `conflicting credentials: ${identity.conflictingKeys} different keys presented`,
          support_reference: r,
        },
      };
    }
    if (decision.action === 'block') {
      const r = ref();
      return { counter: 'blocked', status: 403, body: blockedBody(r), headers: {}, audit: audit(r) };
    }
    if (decision.action === 'step_up') {
      const r = ref();
      const verificationUrl = this.opts.verificationUrl ?? 'https://example.com/verify';
      const body = stepUpBody(verificationUrl, r);
      return { counter: 'step_up', status: 403, body, headers: {}, audit: audit(r) };
    }
    if (decision.action === 'throttle') {
      const wait = this.throttle.take(identity.caller.account_id, decision.ratePerMinute);
      if (wait <= 0) return null;
      const r = ref();
      const headers = { 'retry-after': String(wait) };
      return { counter: 'throttled', status: 429, body: throttledBody(wait, r), headers, audit: audit(r) };
    }
    return null;
  }

  /** The request as the upstream gets it: degraded if so decided, a canary picked if watched. */
  private outbound(
    req: IncomingMessage,
    url: string,
    ex: Exchange | null,
    decision: EffectiveDecision,
    body: RequestBody,
  ): Outbound {
    const degrade = decision.action === 'degrade' && ex !== null;
    let out: Buffer | string = body.raw;
    if (degrade) {
      this.counts.degraded++;
      // Degrade a copy: the event records what the client asked for, which is itself evidence.
      // Shallow, plus the one nested object degradeRequest changes in place (a deep clone of the
      // whole conversation cost more than the rest of the degrade).
      const forwarded: Json = { ...ex.body };
      if (isObject(forwarded.reasoning)) forwarded.reasoning = { ...forwarded.reasoning };
      degradeRequest(
        ex.endpoint,
        forwarded,
        decision.degrade?.maxTokens ?? this.opts.degradeMaxTokens ?? DEFAULT_DEGRADE_MAX_TOKENS,
      );
      out = JSON.stringify(forwarded);
    }
    const canary =
      ex && decision.watch && this.opts.canary && wantsProse(ex.body) && this.random() < this.opts.canary.rate
        ? this.opts.canary.generator.pick(decision.subject, ex.id)
        : null;
    const headers = forwardHeaders(req.headers, ex || body.decoded ? DROP_ENCODING : NO_DROP);
    // Ask for plain bodies on model endpoints: the gateway must read (and may rewrite) them.
    if (ex) headers['accept-encoding'] = 'identity';
    return { url, headers, body: out, degrade, canary };
  }

  /** Waits for an upstream slot (503 when none frees in time) and forwards holding it. */
  private async forwardInSlot(
    req: IncomingMessage,
    res: ServerResponse,
    out: Outbound,
    ex: Exchange | null,
  ): Promise<void> {
    // From here on the client leaving at any stage aborts the upstream request.
    const client = new ClientLink(res, req.socket.destroyed, this.limits.idleTimeoutMs);
    const slot =
      (!client.signal.aborted && this.slots.tryAcquire()) || (await this.slots.acquire(client.signal));
    if (!slot) {
      if (client.gone) {
        this.clientLeft(ex, client, 499);
        return;
      }
      this.counts.overloaded++;
      const ref = newSupportReference();
      this.refuse(
        res,
        ex,
        503,
        overloadedBody(OVERLOADED_RETRY_AFTER_S, ref),
        { 'retry-after': String(OVERLOADED_RETRY_AFTER_S) },
        { upstream_error: 'every upstream connection busy and the wait queue full', support_reference: ref },
      );
      return;
    }
    try {
      await this.forward(req, res, out, client, ex);
    } finally {
      this.slots.release();
    }
  }

  /** Send the request upstream and the answer back; holds one upstream slot throughout. */
  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    out: Outbound,
    client: ClientLink,
    ex: Exchange | null,
  ): Promise<void> {
    let upstream: UpstreamResponse;
    try {
      upstream = await this.pool.request({
        method: req.method ?? 'GET',
        path: this.basePath + out.url,
        headers: out.headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? null : out.body,
        signal: client.signal,
      });
    } catch (err) {
      if (client.gone) {
        this.clientLeft(ex, client, 499);
        return;
      }
      this.counts.upstream_errors++;
      const f = this.failure(err, false);
      // The detail names the upstream's address: the log and the event keep it, the caller does not get it.
      this.opts.log?.warn({ err: f.detail, support_reference: f.ref }, 'upstream unreachable');
      this.refuse(res, ex, f.status, f.body, {}, { upstream_error: f.detail, support_reference: f.ref });
      return;
    }
    try {
      await this.answer(res, upstream, client, ex, out);
    } finally {
      // Whatever ended the exchange, the upstream connection goes back to the pool (or closes).
      if (!upstream.body.destroyed) upstream.body.destroy();
    }
  }

  /** The upstream's answer to the client: shaped (degrade, canary) on model exchanges, then recorded. */
  private async answer(
    res: ServerResponse,
    upstream: UpstreamResponse,
    client: ClientLink,
    ex: Exchange | null,
    out: Outbound,
  ): Promise<void> {
    const headers = forwardHeaders(upstream.headers, NO_DROP);
    if (!ex || upstream.statusCode >= 400) {
      await this.passThrough(res, upstream, headers, client, ex);
      return;
    }
    const a: Answering = {
      res,
      upstream,
      headers,
      client,
      ex,
      shaper: new ResponseShaper(ex.endpoint, { degrade: out.degrade, canary: out.canary?.text ?? null }),
      annotation: { action: ex.decision.action, status: upstream.statusCode },
    };
    if (String(upstream.headers['content-type'] ?? '').includes('text/event-stream')) await this.stream(a);
    else if (!(await this.whole(a))) return;
    this.recordServed(a, out);
  }

  /** Not a model exchange, or an upstream error: pass through exactly as the upstream said it. */
  private async passThrough(
    res: ServerResponse,
    upstream: UpstreamResponse,
    headers: Record<string, string | string[]>,
    client: ClientLink,
    ex: Exchange | null,
  ): Promise<void> {
    const length = upstream.headers['content-length'];
    res.writeHead(upstream.statusCode, length ? { ...headers, 'content-length': length } : headers);
    let errorText = '';
    let failure: UpstreamFailure | undefined;
    try {
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        if (ex && errorText.length < 1000) errorText += chunk.toString('utf8');
        await client.write(chunk);
      }
      client.end();
    } catch (err) {
      // Headers are out: a truncated body is all the client can be told.
      if (!client.gone) failure = this.failure(err, true);
      res.destroy();
    }
    if (!ex) return;
    this.counts.upstream_errors++;
    const annotation = {
      action: ex.decision.action,
      status: upstream.statusCode,
      upstream_error: failure?.detail ?? errorText.slice(0, 500),
    };
    this.record(ex, this.withClient(client, annotation), undefined);
  }

  /** A streamed answer, shaped whole event by whole event. */
  private async stream({ res, upstream, headers, client, ex, shaper, annotation }: Answering): Promise<void> {
    res.writeHead(upstream.statusCode, headers);
    // The client gets the headers at once, even while the model is silent. When the first events
    // are already here they go out with them in one write (a separate write costs a syscall).
    if (upstream.body.readableLength === 0) res.flushHeaders();
    const framer = new SseFramer();
    // Whole events only, so a stream cut off by the upstream never leaves half an event in
    // front of the error event that ends it.
    const pass = (events: SseEvent[]): string => {
      let out = '';
      for (const ev of events) {
        if (shaper.rewrites) out += shaper.shape(ev);
        else {
          shaper.observe(ev);
          out += ev.raw;
        }
      }
      return out;
    };
    try {
      await relay(upstream.body, (chunk) => pass(framer.push(chunk)), client);
      client.end(pass(framer.end()));
    } catch (err) {
      if (client.gone) {
        this.opts.log?.warn({ id: ex.id, err: client.gone.message }, 'stream ended early');
      } else {
        // The upstream broke or went silent: end the stream the way OpenAI's streams report
        // errors, so clients see a failure rather than a short answer.
        const f = this.failure(err, true);
        this.counts.upstream_errors++;
        annotation.upstream_error = f.detail;
        this.opts.log?.warn({ id: ex.id, err: f.detail }, 'upstream stream failed');
        client.end(shaper.streamError(f.body.error.code, f.body.error.message));
      }
    }
  }

  /** A whole (non-streamed) answer; false when the client got none (it left, or a 502/504). */
  private async whole({ res, upstream, headers, client, ex, shaper }: Answering): Promise<boolean> {
    let text: string;
    try {
      text = utf8Text(await readBody(upstream.body, Infinity, requestAborted));
    } catch (err) {
      if (client.gone) {
        this.clientLeft(ex, client, 499);
        return false;
      }
      this.counts.upstream_errors++;
      const f = this.failure(err, true);
      this.refuse(res, ex, f.status, f.body, {}, { upstream_error: f.detail, support_reference: f.ref });
      return false;
    }
    const parsed = parseJsonObject(text); // not JSON: passed on untouched

    if (parsed) shaper.shapeJson(parsed);
    const out = parsed && shaper.rewrites ? JSON.stringify(parsed) : text;
    headers['content-length'] = String(Buffer.byteLength(out));
    res.writeHead(upstream.statusCode, headers);
    client.end(out);
    return true;
  }

  /** Records the exchange as served, and the canary in the registry if one went out. */
  private recordServed({ client, ex, shaper, annotation }: Answering, out: Outbound): void {
    const decision = ex.decision;
    const canary = out.canary;
    if (out.degrade) annotation.degraded = true;
    if (decision.watch) annotation.watch = true;
    if (canary && shaper.canaryServed && this.opts.canary) {
      this.counts.canaries++;
      annotation.canary_id = canary.canary_id;
      this.opts.canary.registry.record({
        canary_id: canary.canary_id,
        subject: decision.subject,
        text: canary.text,
        account_id: ex.caller.account_id,
        event_id: ex.id,
        served_at: new Date().toISOString(),
        endpoint: ex.endpoint,
        model: typeof ex.body.model === 'string' ? ex.body.model : 'unknown',
        ...(this.opts.canary.recordPrompts === false
          ? {}
          : { prompt: lastUserText(requestMessages(ex.endpoint, ex.body)).slice(0, 4000) }),
      });
    }
    this.record(ex, this.withClient(client, annotation), shaper.summary());
  }

  /** What a failed upstream request or body means for the client and the record. */
  private failure(err: unknown, afterHeaders: boolean): UpstreamFailure {
    const code = (err as { code?: unknown }).code;
    const seconds = (ms: number): string => `${ms / 1000} s`;
    const ref = newSupportReference();
    const timeout = (detail: string): UpstreamFailure => ({
      status: 504,
      body: upstreamTimeoutBody(ref),
      detail,
      ref,
    });
    if (code === 'UND_ERR_CONNECT_TIMEOUT')
      return timeout(`no connection to the upstream within ${seconds(this.limits.connectTimeoutMs)}`);
    if (code === 'UND_ERR_HEADERS_TIMEOUT')
      return timeout(`upstream sent no response headers within ${seconds(this.limits.headersTimeoutMs)}`);
    if (code === 'UND_ERR_BODY_TIMEOUT')
      return timeout(`upstream body idle for ${seconds(this.limits.idleTimeoutMs)}`);
    const detail = (err as Error).message;
    return afterHeaders
      ? {
          status: 502,
          body: upstreamInterruptedBody(ref),
          detail: `upstream broke off its answer: ${detail}`,
          ref,
        }
      : { status: 502, body: upstreamUnavailableBody(ref), detail, ref };
  }

  private withClient(client: ClientLink, a: GatewayAnnotation): GatewayAnnotation {
    const gone = client.gone;
    if (gone) {
      this.counts.client_aborted++;
      a.client_aborted = true;
      if (gone.stalled) a.client_stalled = true;
    }
    return a;
  }

  /** The client left before it got any answer: record the attempt, as nginx would log a 499. */
  private clientLeft(ex: Exchange | null, client: ClientLink, status: number): void {
    if (ex) this.record(ex, this.withClient(client, { action: ex.decision.action, status }), undefined);
  }

  private refuse(
    res: ServerResponse,
    ex: Exchange | null,
    status: number,
    body: GatewayErrorBody,
    headers: Record<string, string>,
    audit: Partial<GatewayAnnotation> & { support_reference: string },
  ): void {
    this.sendJson(res, status, body, headers);
    const a: GatewayAnnotation = { action: ex?.decision.action ?? 'refuse', status, ...audit };
    if (ex) this.record(ex, a, undefined);
    // Not a model exchange, so no event: the log keeps the reference and the reason for support.
    else this.opts.log?.warn({ ...a }, 'request refused');
  }

  private record(ex: Exchange, gateway: GatewayAnnotation, summary: ResponseSummary | undefined): void {
    gateway.latency_ms = Math.round((performance.now() - ex.started) * 100) / 100;
    const xff = this.opts.trustForwardedFor ? ex.req.headers['x-forwarded-for'] : undefined;
    const ip =
      (typeof xff === 'string' ? xff.split(',')[0]?.trim() : undefined) ?? ex.req.socket.remoteAddress;
    const ua = ex.req.headers['user-agent'];
    this.opts.recorder.record(
      buildEvent({
        id: ex.id,
        ts: ex.ts,
        caller: ex.caller,
        endpoint: ex.endpoint,
        body: ex.body,
        messages: requestMessages(ex.endpoint, ex.body),
        ...(ip ? { clientIp: ip } : {}),
        ...(ua ? { userAgent: ua } : {}),
        ...(summary ? { summary } : {}),
        gateway,
      }),
    );
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }
}
