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
  Throttle,
  type Endpoint,
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
}

export const DEFAULT_GUARDRAIL_SETTINGS: GuardrailSettings = {
  fail: 'open',
  accountKey: '_user',
  accountHeader: 'x-account-id',
  bodyBytes: 4 * 1024 * 1024,
};

/**
 * What a guardrail answers, whatever the gateway's contract: let the request through, through
 * changed (degrade), or refuse it. A refusal carries only a random reference (recorded beside the
 * reason in the event) and, where the caller can act on it, what to do: verify, or wait. Never the
 * decision's reason, cluster, detector or score, which would help an extractor evade.
 */
export type Judgement =
  | { kind: 'allow'; action: DecisionAction }
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

  constructor(
    private readonly ctx: ServiceContext,
    readonly settings: GuardrailSettings,
    spoolDir: string,
    onError?: (err: Error, context: string) => void,
  ) {
    this.recorder = new EventRecorder({
      sink: new ServiceEventSink(ctx),
      spoolPath: join(spoolDir, 'guardrail-spool.ndjson'),
      ...(onError ? { onError } : {}),
    });
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
   * The decision for an exchange already let through (Portkey's after-request hook, Aperture's
   * entire_request): recorded under its action, taking no throttle token a second time.
   */
  passed(accountId: string): Judgement & { kind: 'allow' } {
    return { kind: 'allow', action: this.ctx.decisions.get(accountId).action };
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
      id: `gr_${randomUUID()}`,
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
      },
    });
    // Which gateway carried it: kept beside the spec's fields like the gateway annotation.
    (event.gateway as Json).via = x.via;
    this.recorder.record(event);
  }

  close(): Promise<void> {
    return this.recorder.close();
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

  async write(events: readonly ApiEvent[], ndjson?: string): Promise<SinkResult> {
    const body = Buffer.from(ndjson ?? ndjsonOf(events));
    const stored = await this.ctx.ingest.events('guardrail webhook', body, { refuseEmpty: false });
    return {
      rejected: stored.errors.map((e) => ({ index: e.line - 1, reason: e.reason, message: e.message })),
    };
  }
}
