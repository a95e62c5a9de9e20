import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ApiEvent, Decision, DecisionAction } from '../contracts/index.js';
import {
  buildEvent,
  DEFAULT_DEGRADE_MAX_TOKENS,
  degradeRequest,
  EventRecorder,
  isObject,
  newSupportReference,
  requestMessages,
  lastUserText,
  ResponseShaper,
  Throttle,
  wantsProse,
  type CanaryOptions,
  type Endpoint,
  type GatewayAnnotation,
  type Json,
  type ResponseSummary,
} from '../gateway/index.js';
import { ndjsonOf, type EventSink, type SinkResult } from '../pipeline/index.js';
import type { ServiceContext } from './context.js';

export interface GuardrailSettings {
  /** The verdict when the account or the body cannot be read. */
  fail: 'open' | 'closed';
  /** Metadata key naming the account (Portkey's `_user`). */
  accountKey: string;
  /** Header naming the account where the contract carries none (kgateway). */
  accountHeader: string;
  /** Largest webhook body. */
  bodyBytes: number;
  /** How long a kgateway prompt waits for its `/response` call before it is recorded without one. */
  responseWaitMs: number;
  /** Most kgateway prompts waiting for their answer, all accounts together. */
  pendingMax: number;
}

export const DEFAULT_GUARDRAIL_SETTINGS: GuardrailSettings = {
  fail: 'open',
  accountKey: '_user',
  accountHeader: 'x-account-id',
  bodyBytes: 4 * 1024 * 1024,
  responseWaitMs: 30_000,
  pendingMax: 10_000,
};

/** Prompts of one account waiting for their answer: more and the oldest is recorded unanswered. */
const PENDING_PER_ACCOUNT = 16;

/**
 * What a guardrail answers, whatever the gateway's contract: let the request through, through
 * changed (degrade), or refuse it. A refusal carries only a random reference (recorded beside the
 * reason in the event) and, where the caller can act on it, what to do: verify, or wait. Never the
 * decision's reason, cluster, detector or score, which would help an extractor evade.
 */
export type Judgement =
  | { kind: 'allow'; action: DecisionAction }
  /** Flag-only mode: a failed verdict the gateway lets through and marks (Portkey's 246). */
  | { kind: 'flag'; action: DecisionAction }
  | { kind: 'modify'; action: 'degrade'; body: Json }
  | {
      kind: 'refuse';
      /** `unsure`: the account or body could not be read and --guardrail-fail is closed. */
      action: 'block' | 'step_up' | 'throttle' | 'unsure';
      status: number;
      reference: string;
      message: string;
      retryAfterSeconds?: number;
    };

const MESSAGES = {
  block: 'Access to the API is suspended for this account. Contact support and quote the reference.',
  step_up: 'Additional verification is required before this account can continue.',
  throttle: 'This account is rate limited; retry later.',
  unsure: 'The request could not be checked; retry later.',
} as const;

/** Events the guardrail webhooks record; each field says what a gateway told us, nothing more. */
export interface ExchangeInput {
  accountId: string;
  /** Which webhook contract carried the exchange (`portkey`, `kgateway`, `aperture`). */
  via: string;
  endpoint: Endpoint;
  body: Json;
  response?: Json | undefined;
  judgement: Judgement;
  /** The decision's reason, for analysts; never sent to the caller. */
  reason?: string;
  userAgent?: string | undefined;
  /** The event's id, when it must be known before recording (a canary's registry line names it). */
  id?: string;
  /** More of the annotation: status as served, canary, flagged, unanswered, upstream error. */
  note?: Partial<GatewayAnnotation> & { flagged?: boolean; unanswered?: boolean };
}

/** An exchange a gateway let through, as its after-the-answer hook reports it. */
export interface ServedInput {
  accountId: string;
  via: string;
  endpoint: Endpoint;
  body: Json;
  /** The model's answer, when the hook carries it. */
  response?: Json | undefined;
  /** The upstream's error, when the hook says the call failed. */
  upstreamError?: string | undefined;
  /** Flag-only mode: a decision other than allow was flagged (Portkey's 246), not enforced. */
  flagged?: boolean;
  /** The hook may replace the answer (Portkey's transformedData): degrade and canaries apply. */
  canModify?: boolean;
  userAgent?: string | undefined;
}

/**
 * The enforcement half of `serve` for gateways it does not run: decisions come from the
 * DecisionBook in memory (no I/O on the answer path), throttling uses the gateway's token buckets,
 * degrade the gateway's request rules, and exchanges go through the gateway's EventRecorder into
 * the same store path as POST /v1/events.
 */
export class Guardrails {
  private readonly throttle = new Throttle();
  readonly recorder: EventRecorder;
  private readonly pending: PendingPrompts;

  constructor(
    private readonly ctx: ServiceContext,
    readonly settings: GuardrailSettings,
    spoolDir: string,
    onError?: (err: Error, context: string) => void,
    /** Canaries for watched accounts, where a contract lets the hook rewrite the answer. */
    private readonly canary?: CanaryOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.recorder = new EventRecorder({
      sink: new ServiceEventSink(ctx),
      spoolPath: join(spoolDir, 'guardrail-spool.ndjson'),
      ...(onError ? { onError } : {}),
    });
    // A prompt never answered (the upstream failed, or no /response hook) is still recorded.
    this.pending = new PendingPrompts(settings.responseWaitMs, settings.pendingMax, ({ at: _, ...p }) =>
      this.record({ ...p, note: { unanswered: true } }),
    );
  }

  /** Where served canaries are recorded, when canaries are on. */
  get canaryRegistryPath(): string | undefined {
    return this.canary?.registry.path;
  }

  /** Whether answers go back through the after-request hook (canaries on): then every one does. */
  get rewritesAnswers(): boolean {
    return this.canary !== undefined;
  }

  /** kgateway prompts waiting for their answer now. */
  get pendingPrompts(): number {
    return this.pending.size;
  }

  /** The decision in force for this account, as a verdict; `null` account = could not be read. */
  judge(accountId: string | null, endpoint: Endpoint | null, body: Json | null): Judgement {
    if (accountId === null) return this.unsure();
    const d: Decision = this.ctx.decisions.get(accountId);
    switch (d.action) {
      case 'block':
      case 'step_up':
        return refuse(d.action, 403);
      case 'throttle': {
        const wait = this.throttle.take(accountId, d.rate_per_minute);
        if (wait === 0) return { kind: 'allow', action: 'throttle' };
        return { ...refuse('throttle', 429), retryAfterSeconds: wait };
      }
      case 'degrade': {
        if (!endpoint || !body) return { kind: 'allow', action: 'degrade' };
        const copy = structuredClone(body);
        degradeRequest(endpoint, copy, d.degrade?.max_tokens ?? DEFAULT_DEGRADE_MAX_TOKENS);
        return { kind: 'modify', action: 'degrade', body: copy };
      }
      default:
        return { kind: 'allow', action: d.action };
    }
  }

  /**
   * The decision before a request runs (Portkey's before-request hook, Aperture's pre_request):
   * a refusal is recorded now, as nothing else will; an allowed request is recorded later, with
   * its answer.
   */
  judgeBefore(
    via: string,
    accountId: string | null,
    endpoint: Endpoint | null,
    body: Json | null,
    userAgent?: string,
  ): Judgement {
    const j = this.judge(accountId, endpoint, body);
    if (j.kind === 'refuse' && accountId && endpoint && body)
      this.record({
        accountId,
        via,
        endpoint,
        body,
        judgement: j,
        reason: this.reasonOf(accountId),
        userAgent,
      });
    return j;
  }

  /**
   * Flag-only mode (Portkey `deny: false`): every decision but allow is a failed verdict, which
   * the gateway lets through and marks. Nothing is changed or counted (no throttle token, no
   * degrade), so an enforcing hook beside it judges as if it were alone.
   */
  flag(accountId: string | null): Judgement {
    if (accountId === null) return this.unsure();
    const action = this.ctx.decisions.get(accountId).action;
    return action === 'allow' ? { kind: 'allow', action } : { kind: 'flag', action };
  }

  /**
   * An exchange already let through (Portkey's after-request hook, Aperture's entire_request),
   * recorded under the decision's action without taking a throttle token a second time. Where the
   * hook may rewrite the answer, a degraded account's loses its reasoning and logprobs and a
   * watched account's gets a canary first, as DistillGuard's own gateway does; returns the answer
   * as the client should get it.
   */
  served(x: ServedInput): Json | undefined {
    const d = this.ctx.decisions.get(x.accountId);
    const id = `gr_${randomUUID()}`;
    const note: NonNullable<ExchangeInput['note']> = {};
    // The status stays the upstream's 200 the hook saw: what Portkey then answers (246 by its
    // docs) is not passed to the hook.
    if (x.flagged && d.action !== 'allow') note.flagged = true;
    if (x.upstreamError !== undefined) note.upstream_error = x.upstreamError.slice(0, 500);
    if (d.watch) note.watch = true;
    const answer = x.canModify && x.response ? this.shapeAnswer(x, d, id, x.response, note) : x.response;
    this.record({
      accountId: x.accountId,
      via: x.via,
      endpoint: x.endpoint,
      body: x.body,
      response: answer,
      judgement: { kind: 'allow', action: d.action },
      reason: d.reason,
      userAgent: x.userAgent,
      id,
      note,
    });
    return answer;
  }

  /**
   * The answer as the client should get it, where the hook may rewrite it: degraded (no
   * reasoning, no logprobs: the response side of the gateway's degrade, for models that send them
   * unasked) and, for a watched account, a canary at its end when one fits; the registry line
   * names the event. The same object when nothing changed. Flag-only changes nothing but the canary.
   */
  private shapeAnswer(
    x: ServedInput,
    d: Decision,
    eventId: string,
    response: Json,
    note: NonNullable<ExchangeInput['note']>,
  ): Json {
    const degrade = d.action === 'degrade' && !x.flagged;
    const c = d.watch ? this.canary : undefined;
    const subject = d.cluster_id ?? `account:${x.accountId}`;
    // Streamed answers reach the hook without their text; structured output would break.
    const canary =
      c && x.body.stream !== true && wantsProse(x.body) && this.random() < c.rate
        ? c.generator.pick(subject, eventId)
        : null;
    if (!degrade && !canary) return response;
    const copy = structuredClone(response);
    const shaper = new ResponseShaper(x.endpoint, { degrade, canary: canary?.text ?? null });
    shaper.shapeJson(copy);
    if (c && canary && shaper.canaryServed) {
      note.canary_id = canary.canary_id;
      c.registry.record({
        canary_id: canary.canary_id,
        subject,
        text: canary.text,
        account_id: x.accountId,
        event_id: eventId,
        served_at: new Date().toISOString(),
        endpoint: x.endpoint,
        model: typeof x.body.model === 'string' ? x.body.model : 'unknown',
        ...(c.recordPrompts === false
          ? {}
          : { prompt: lastUserText(requestMessages(x.endpoint, x.body)).slice(0, 4000) }),
      });
    } else if (!degrade) return response;
    return copy;
  }

  /** A kgateway prompt let through: recorded with its answer when `/response` names it, else later. */
  awaitAnswer(x: Omit<ExchangeInput, 'response' | 'note' | 'id'>): void {
    this.pending.add(x);
  }

  /** The oldest waiting prompt of this account, recorded with this answer; false when none waits. */
  answered(accountId: string, response: Json): boolean {
    const p = this.pending.take(accountId);
    if (!p) return false;
    const { at: _, ...x } = p;
    this.record({ ...x, response });
    return true;
  }

  /** The --guardrail-fail verdict, for a body or account that cannot be read. */
  unsure(): Judgement {
    return this.settings.fail === 'open' ? { kind: 'allow', action: 'allow' } : refuse('unsure', 503);
  }

  /** The decision's reason for the recorded event (analysts see it; callers never do). */
  reasonOf(accountId: string): string {
    return this.ctx.decisions.get(accountId).reason;
  }

  /** Queue one exchange for the store; returns at once (batched off the answer path). */
  record(x: ExchangeInput): void {
    const j = x.judgement;
    const refused = j.kind === 'refuse';
    const event: ApiEvent = buildEvent({
      id: x.id ?? `gr_${randomUUID()}`,
      ts: new Date().toISOString(),
      caller: { account_id: x.accountId },
      endpoint: x.endpoint,
      body: x.body,
      messages: requestMessages(x.endpoint, x.body),
      ...(x.userAgent ? { userAgent: x.userAgent } : {}),
      ...(x.response ? { summary: summarise(x.response) } : {}),
      gateway: {
        action: j.action === 'unsure' ? 'refuse' : j.action,
        status: refused ? j.status : 200,
        ...(j.kind === 'modify' || j.action === 'degrade' ? { degraded: true } : {}),
        ...(refused ? { support_reference: j.reference } : {}),
        ...(x.reason ? { reason: x.reason } : {}),
        ...x.note,
      },
    });
    // Which gateway carried it: kept beside the spec's fields like the gateway annotation.
    (event.gateway as Json).via = x.via;
    this.recorder.record(event);
  }

  async close(): Promise<void> {
    this.pending.drain();
    await this.recorder.close();
    await this.canary?.registry.close();
  }
}

type PendingPrompt = Omit<ExchangeInput, 'response' | 'note' | 'id'> & { at: number };

/**
 * kgateway prompts waiting for their `/response` call, oldest first per account. The contract
 * names no request in the answer, so an answer is joined to the oldest waiting prompt of the
 * account its header names. Bounded in count (per account and in all) and in time: a prompt pushed
 * out or left waiting is handed to `expire`, never dropped.
 */
class PendingPrompts {
  private readonly byAccount = new Map<string, PendingPrompt[]>();
  private count = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly waitMs: number,
    private readonly max: number,
    private readonly expire: (p: PendingPrompt) => void,
  ) {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.floor(waitMs / 4)));
    this.timer.unref();
  }

  get size(): number {
    return this.count;
  }

  add(x: Omit<PendingPrompt, 'at'>): void {
    const mine = this.byAccount.get(x.accountId);
    if (mine && mine.length >= PENDING_PER_ACCOUNT) this.out(mine.shift()!);
    while (this.count >= this.max) this.evictOldest();
    const q = this.byAccount.get(x.accountId) ?? [];
    // Re-inserted last: the map's first account is the one that has waited longest for a prompt.
    this.byAccount.delete(x.accountId);
    this.byAccount.set(x.accountId, q);
    q.push({ ...x, at: Date.now() });
    this.count++;
  }

  take(accountId: string): PendingPrompt | undefined {
    const q = this.byAccount.get(accountId);
    const p = q?.shift();
    if (!p) return undefined;
    this.count--;
    if (q!.length === 0) this.byAccount.delete(accountId);
    return p;
  }

  /** Every waiting prompt recorded unanswered now (the service stops). */
  drain(): void {
    clearInterval(this.timer);
    this.sweep(Number.POSITIVE_INFINITY);
  }

  private sweep(now: number): void {
    for (const [id, q] of this.byAccount) {
      while (q.length > 0 && now - q[0]!.at >= this.waitMs) this.out(q.shift()!);
      if (q.length === 0) this.byAccount.delete(id);
    }
  }

  private evictOldest(): void {
    const first = this.byAccount.entries().next();
    if (first.done) return;
    const [id, q] = first.value;
    const p = q.shift();
    if (q.length === 0) this.byAccount.delete(id);
    if (p) this.out(p);
  }

  private out(p: PendingPrompt): void {
    this.count--;
    this.expire(p);
  }
}

function refuse(
  action: 'block' | 'step_up' | 'throttle' | 'unsure',
  status: number,
): Judgement & { kind: 'refuse' } {
  return { kind: 'refuse', action, status, reference: newSupportReference(), message: MESSAGES[action] };
}

const count = (v: unknown): number | undefined =>
  Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined;

/** What the model answered, from an OpenAI-style (or Anthropic messages) response body. */
export function summarise(r: Json): ResponseSummary {
  const out: ResponseSummary = { text: '' };
  const choice: unknown = Array.isArray(r.choices) ? r.choices[0] : undefined;
  if (isObject(choice)) {
    const msg = choice.message;
    if (isObject(msg) && typeof msg.content === 'string') out.text = msg.content;
    else if (typeof choice.text === 'string') out.text = choice.text;
    if (typeof choice.finish_reason === 'string') out.finish_reason = choice.finish_reason;
  } else if (Array.isArray(r.content)) {
    out.text = r.content
      .map((p: unknown) => (isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .join('');
    if (typeof r.stop_reason === 'string') out.finish_reason = r.stop_reason;
  }
  const u = r.usage;
  if (isObject(u)) {
    const input = count(u.prompt_tokens ?? u.input_tokens);
    const output = count(u.completion_tokens ?? u.output_tokens);
    if (input !== undefined) out.input_tokens = input;
    if (output !== undefined) out.output_tokens = output;
  }
  return out;
}

/**
 * Recorded exchanges into this server's store, through the ingest path's own parser (size, depth,
 * unstorable text): a line it refuses is named back to the recorder, which sets it aside with the
 * reason rather than dropping it.
 */
class ServiceEventSink implements EventSink {
  constructor(private readonly ctx: ServiceContext) {}

  async write(events: readonly ApiEvent[], ndjson?: string | Buffer): Promise<SinkResult> {
    // A copy even of a Buffer: the ingest thread takes the bytes over, the recorder reuses its own.
    const body = Buffer.from(ndjson ?? ndjsonOf(events));
    const stored = await this.ctx.ingest.events('guardrail webhook', body, { refuseEmpty: false });
    return {
      rejected: stored.errors.map((e) => ({ index: e.line - 1, reason: e.reason, message: e.message })),
    };
  }
}
