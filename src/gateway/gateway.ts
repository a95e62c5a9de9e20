import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import type { CanaryGenerator, CanaryRegistry } from '../respond/index.js';
import { presentedKeys, type AccountResolver, type Caller } from './accounts.js';
import type { DecisionCache } from './decisionCache.js';
import type { EffectiveDecision } from './decision.js';
import { DEFAULT_DEGRADE_MAX_TOKENS, degradeRequest } from './degrade.js';
import {
  blockedBody,
  conflictingCredentialsBody,
  internalErrorBody,
  newSupportReference,
  tooLargeBody,
  stepUpBody,
  throttledBody,
  upstreamUnavailableBody,
  type GatewayErrorBody,
} from './errorBodies.js';
import {
  buildEvent,
  endpointOf,
  isObject,
  lastUserText,
  requestMessages,
  type Endpoint,
  type GatewayAnnotation,
  type Json,
  type ResponseSummary,
} from './exchange.js';
import type { EventRecorder } from './recorder.js';
import { SseFramer } from './sse.js';
import { ResponseShaper } from './shaper.js';
import { Throttle } from './throttle.js';

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

export interface GatewayOptions {
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
  upstreamConnections?: number;
  log?: GatewayLog;
  random?: () => number;
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
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined || HOP_BY_HOP.has(k) || drop.has(k) || isInternalHeader(k)) continue;
    out[k] = v;
  }
  return out;
}

const NO_DROP = new Set<string>();
const DROP_ENCODING = new Set(['accept-encoding', 'content-encoding']);

class BodyTooLarge extends Error {}

/** Structured-output requests (JSON mode, JSON schema) get no canary: it would break the format. */
function wantsProse(body: Json): boolean {
  const format = isObject(body.response_format)
    ? body.response_format.type
    : isObject(body.text) && isObject(body.text.format)
      ? body.text.format.type
      : undefined;
  return format !== 'json_object' && format !== 'json_schema';
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
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

/**
 * The OpenAI-compatible reverse proxy: identifies the account, enforces its decision, forwards to
 * the upstream, streams the answer back chunk by chunk, embeds canaries for watched accounts, and
 * records every model exchange as an API event.
 */
export class Gateway {
  readonly server: Server;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly throttle: Throttle;
  private readonly maxBody: number;
  private readonly random: () => number;
  private readonly counts = {
    requests: 0,
    blocked: 0,
    throttled: 0,
    step_up: 0,
    credential_conflicts: 0,
    degraded: 0,
    canaries: 0,
    upstream_errors: 0,
  };

  constructor(private readonly opts: GatewayOptions) {
    const u = new URL(opts.upstream);
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.pool = new Pool(u.origin, {
      connections: opts.upstreamConnections ?? 256,
      keepAliveTimeout: 30_000,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
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
    return { ...this.counts, events: this.opts.recorder.stats, decisions_cached: this.opts.decisions.size };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/_gateway/healthz') {
      this.sendJson(res, 200, { ok: true, ...this.stats });
      return;
    }
    this.counts.requests++;
    const accountHeader = req.headers['x-account-id'];
    const claimed = Array.isArray(accountHeader) ? accountHeader[0] : accountHeader;
    // Every key the request carries, wherever an upstream may read it (Bearer, Basic, api-key, ...).
    const keys = presentedKeys(req.headersDistinct, url, (k) => this.opts.accounts.knows(k));
    const resolved = this.opts.accounts.resolve(keys, claimed);
    // Two different keys: refused below; the event is recorded under the first one.
    const caller = resolved ?? this.opts.accounts.resolve(keys.slice(0, 1), claimed)!;
    const decision = this.opts.decisions.get(caller.account_id);
    const endpoint = endpointOf(req.method ?? 'GET', url);

    let raw: Buffer;
    try {
      raw = await readBody(req, this.maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        this.sendJson(res, 413, tooLargeBody(this.maxBody));
        return;
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
          return;
        }
        // Not gzip after all: forward as received and let the upstream answer.
      }
    }
    let body: Json | null = null;
    if (endpoint) {
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (isObject(parsed)) body = parsed;
      } catch {
        // An unparsable body goes upstream as is; the upstream's 400 passes back to the caller.
      }
    }
    const ex: Exchange | null =
      endpoint && body
        ? {
            id: `gw-${randomUUID()}`,
            ts: new Date().toISOString(),
            started,
            caller,
            decision,
            endpoint,
            body,
            req,
          }
        : null;

    // Enforcement that answers without calling the upstream. The caller gets a code and a
    // reference; the reason stays with the reference in the event (or the log).
    if (resolved === null) {
      this.counts.credential_conflicts++;
      const ref = newSupportReference();
      this.refuse(
        res,
        ex,
        401,
        conflictingCredentialsBody(ref),
        {},
        {
          action: 'refuse',
          reason: `conflicting credentials: ${keys.length} different keys presented`,
          support_reference: ref,
        },
      );
      return;
    }
    if (decision.action === 'block') {
      this.counts.blocked++;
      const ref = newSupportReference();
      this.refuse(
        res,
        ex,
        403,
        blockedBody(ref),
        {},
        { action: decision.action, reason: decision.reason, support_reference: ref },
      );
      return;
    }
    if (decision.action === 'step_up') {
      this.counts.step_up++;
      const ref = newSupportReference();
      const verificationUrl = this.opts.verificationUrl ?? 'https://example.com/verify';
      this.refuse(
        res,
        ex,
        403,
        stepUpBody(verificationUrl, ref),
        {},
        { action: decision.action, reason: decision.reason, support_reference: ref },
      );
      return;
    }
    if (decision.action === 'throttle') {
      const wait = this.throttle.take(caller.account_id, decision.ratePerMinute);
      if (wait > 0) {
        this.counts.throttled++;
        const ref = newSupportReference();
        this.refuse(
          res,
          ex,
          429,
          throttledBody(wait, ref),
          { 'retry-after': String(wait) },
          { action: decision.action, reason: decision.reason, support_reference: ref },
        );
        return;
      }
    }

    const degrade = decision.action === 'degrade' && ex !== null;
    let outBody: Buffer | string = raw;
    if (degrade) {
      this.counts.degraded++;
      // Degrade a copy: the event records what the client asked for, which is itself evidence.
      const forwarded = structuredClone(ex.body);
      degradeRequest(
        ex.endpoint,
        forwarded,
        decision.degrade?.maxTokens ?? this.opts.degradeMaxTokens ?? DEFAULT_DEGRADE_MAX_TOKENS,
      );
      outBody = JSON.stringify(forwarded);
    }
    const canary =
      ex && decision.watch && this.opts.canary && wantsProse(ex.body) && this.random() < this.opts.canary.rate
        ? this.opts.canary.generator.pick(decision.subject, ex.id)
        : null;

    const headers = forwardHeaders(req.headers, ex || decoded ? DROP_ENCODING : NO_DROP);
    // Ask for plain bodies on model endpoints: the gateway must read (and may rewrite) them.
    if (ex) headers['accept-encoding'] = 'identity';
    let upstream: Awaited<ReturnType<Pool['request']>>;
    try {
      upstream = await this.pool.request({
        method: req.method ?? 'GET',
        path: this.basePath + url,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? null : outBody,
      });
    } catch (err) {
      this.counts.upstream_errors++;
      const detail = (err as Error).message;
      const ref = newSupportReference();
      // The detail names the upstream's address: the log and the event keep it, the caller does not get it.
      this.opts.log?.warn({ err: detail, support_reference: ref }, 'upstream unreachable');
      this.refuse(
        res,
        ex,
        502,
        upstreamUnavailableBody(ref),
        {},
        { upstream_error: detail, support_reference: ref },
      );
      return;
    }

    const resHeaders = forwardHeaders(upstream.headers, NO_DROP);
    const contentType = String(upstream.headers['content-type'] ?? '');
    res.on('close', () => {
      if (!res.writableFinished) upstream.body.destroy();
    });

    if (!ex || upstream.statusCode >= 400) {
      // Not a model exchange, or an upstream error: pass through exactly as the upstream said it.
      const length = upstream.headers['content-length'];
      res.writeHead(upstream.statusCode, length ? { ...resHeaders, 'content-length': length } : resHeaders);
      let errorText = '';
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        if (ex && errorText.length < 1000) errorText += chunk.toString('utf8');
        if (!res.write(chunk)) await once(res, 'drain');
      }
      res.end();
      if (ex) {
        this.counts.upstream_errors++;
        this.record(
          ex,
          { action: decision.action, status: upstream.statusCode, upstream_error: errorText.slice(0, 500) },
          undefined,
        );
      }
      return;
    }

    const shaper = new ResponseShaper(ex.endpoint, { degrade, canary: canary?.text ?? null });
    if (contentType.includes('text/event-stream')) {
      res.writeHead(upstream.statusCode, resHeaders);
      res.flushHeaders();
      const framer = new SseFramer();
      try {
        for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
          if (!shaper.rewrites) {
            if (!res.write(chunk)) await once(res, 'drain');
            for (const ev of framer.push(chunk)) shaper.observe(ev);
          } else {
            let out = '';
            for (const ev of framer.push(chunk)) out += shaper.shape(ev);
            if (out !== '' && !res.write(out)) await once(res, 'drain');
          }
        }
        let tail = '';
        for (const ev of framer.end()) tail += shaper.rewrites ? shaper.shape(ev) : (shaper.observe(ev), '');
        res.end(tail);
      } catch (err) {
        // The client went away or the upstream broke mid-stream: record what was exchanged.
        this.opts.log?.warn({ err: (err as Error).message, id: ex.id }, 'stream ended early');
        res.destroy();
      }
    } else {
      let text: string;
      try {
        text = await upstream.body.text();
      } catch (err) {
        // The client went away (or the upstream broke) before the answer was complete.
        const detail = (err as Error).message;
        res.destroy();
        this.record(
          ex,
          { action: decision.action, status: upstream.statusCode, upstream_error: detail },
          undefined,
        );
        return;
      }
      let parsed: Json | null = null;
      try {
        const v: unknown = JSON.parse(text);
        if (isObject(v)) parsed = v;
      } catch {
        // Not JSON: pass it on untouched.
      }
      if (parsed) shaper.shapeJson(parsed);
      const out = parsed && shaper.rewrites ? JSON.stringify(parsed) : text;
      res.writeHead(upstream.statusCode, { ...resHeaders, 'content-length': String(Buffer.byteLength(out)) });
      res.end(out);
    }

    const annotation: GatewayAnnotation = { action: decision.action, status: upstream.statusCode };
    if (degrade) annotation.degraded = true;
    if (decision.watch) annotation.watch = true;
    if (canary && shaper.canaryServed && this.opts.canary) {
      this.counts.canaries++;
      annotation.canary_id = canary.canary_id;
      this.opts.canary.registry.record({
        canary_id: canary.canary_id,
        subject: decision.subject,
        text: canary.text,
        account_id: caller.account_id,
        event_id: ex.id,
        served_at: new Date().toISOString(),
        endpoint: ex.endpoint,
        model: typeof ex.body.model === 'string' ? ex.body.model : 'unknown',
        ...(this.opts.canary.recordPrompts === false
          ? {}
          : { prompt: lastUserText(requestMessages(ex.endpoint, ex.body)).slice(0, 4000) }),
      });
    }
    this.record(ex, annotation, shaper.summary());
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
