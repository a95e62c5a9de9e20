import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../schema/index.js';
import {
  deadLetter,
  dueDeliveries,
  insertDeliveries,
  insertWebhook,
  listWebhooks,
  markDelivery,
  type CoreDb,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '../store/index.js';
import { signWebhook } from './webhookSignature.js';

export const WebhookEventType = z.enum(['decision.changed', 'case.created', 'case.updated']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const NewWebhook = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' })
    .max(2000, { error: 'url is longer than 2000 characters' }),
  secret: z
    .string()
    .min(16, { error: 'secret must be at least 16 characters (it keys the HMAC signature)' })
    .max(500),
  events: z.array(WebhookEventType).min(1).default(['decision.changed']),
});
export type NewWebhook = z.infer<typeof NewWebhook>;

/** A webhook as the API shows it: the secret never leaves the server again. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEventType[];
  active: boolean;
  created_at: string;
}

export interface WebhookDispatcherOptions {
  /** Attempts before a delivery goes to the dead-letter table. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (with jitter) up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
}

/**
 * Outbox-style webhooks: an event is stored as one delivery row per subscribed webhook, then a
 * worker posts it, HMAC-signed, retrying with exponential backoff; a delivery that keeps failing
 * moves to dead_letters. Rows survive restarts, so nothing is lost between emit and send.
 */
export class WebhookDispatcher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;
  private readonly random: () => number;
  private hooks: WebhookRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: CoreDb,
    opts: WebhookDispatcherOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.doFetch = opts.fetch ?? fetch;
    this.random = opts.random ?? Math.random;
  }

  async load(): Promise<void> {
    this.hooks = await listWebhooks(this.db);
  }

  async register(input: NewWebhook, now = Date.now()): Promise<WebhookView> {
    const row: WebhookRow = {
      id: `wh_${randomUUID()}`,
      url: input.url,
      secret: input.secret,
      events: JSON.stringify(input.events),
      active: 1,
      created_at: now,
    };
    await insertWebhook(this.db, row);
    this.hooks.push(row);
    return view(row);
  }

  list(): WebhookView[] {
    return this.hooks.map(view);
  }

  /** Queues one delivery per active webhook subscribed to `type`; returns how many were queued. */
  async emit(type: WebhookEventType, data: unknown, now = Date.now()): Promise<number> {
    const targets = this.hooks.filter(
      (h) => h.active === 1 && (JSON.parse(h.events) as string[]).includes(type),
    );
    if (targets.length === 0) return 0;
    const rows: WebhookDeliveryRow[] = targets.map((h) => {
      const id = `dl_${randomUUID()}`;
      return {
        id,
        webhook_id: h.id,
        event_type: type,
        payload: JSON.stringify({ id, type, created_at: new Date(now).toISOString(), data }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        updated_at: now,
      };
    });
    await insertDeliveries(this.db, rows);
    this.kick();
    return rows.length;
  }

  /** Sends every due delivery once; returns how many were attempted. Safe to call concurrently. */
  async runOnce(now = Date.now()): Promise<number> {
    if (this.running) return this.running;
    this.running = this.sendDue(now).finally(() => (this.running = null));
    return this.running;
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Backoff before attempt n+1 after n failures: base·2^(n-1), capped, with ±20% jitter. */
  retryDelay(failures: number): number {
    const raw = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.round(raw * (0.8 + 0.4 * this.random()));
  }

  private kick(): void {
    setImmediate(() => void this.runOnce().catch(() => undefined));
  }

  private async sendDue(now: number): Promise<number> {
    const due = await dueDeliveries(this.db, now, 100);
    const byId = new Map(this.hooks.map((h) => [h.id, h]));
    for (const d of due) {
      const hook = byId.get(d.webhook_id);
      const error = hook ? await this.post(hook, d) : 'webhook no longer exists';
      const attempts = d.attempts + 1;
      const at = Date.now();
      if (error === null)
        await markDelivery(this.db, d.id, {
          status: 'delivered',
          attempts,
          next_attempt_at: d.next_attempt_at,
          last_error: null,
          updated_at: at,
        });
      else if (attempts >= this.maxAttempts || !hook)
        await deadLetter(this.db, { ...d, attempts }, error, at);
      else
        await markDelivery(this.db, d.id, {
          status: 'pending',
          attempts,
          next_attempt_at: at + this.retryDelay(attempts),
          last_error: error,
          updated_at: at,
        });
    }
    return due.length;
  }

  /** null on a 2xx answer, else why it failed. */
  private async post(hook: WebhookRow, d: WebhookDeliveryRow): Promise<string | null> {
    const ts = Date.now();
    try {
      const res = await this.doFetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'DistillGuard-Webhook/1',
          'x-distillguard-event': d.event_type,
          'x-distillguard-delivery': d.id,
          'x-distillguard-timestamp': String(ts),
          'x-distillguard-signature': signWebhook(hook.secret, ts, d.payload),
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
    } catch (err) {
      return (err as Error).name === 'TimeoutError'
        ? `timeout after ${this.timeoutMs} ms`
        : (err as Error).message;
    }
  }
}

function view(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    active: row.active === 1,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** Parses a webhook registration body into a clear 400 on mistakes. */
export function parseNewWebhook(body: unknown): NewWebhook {
  const r = NewWebhook.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(
    'INVALID_INPUT',
    `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}. Events are ${WebhookEventType.options.join(', ')}.`,
  );
}
