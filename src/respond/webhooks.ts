import { randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { UserError } from '../contracts/index.js';
import {
  countPendingDeliveries,
  deadLetter,
  deleteWebhook,
  insertDeadDeliveries,
  insertDeliveries,
  insertWebhook,
  listWebhooks,
  markDelivery,
  nextPendingDelivery,
  setWebhookActive,
  type CoreDb,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '../store/index.js';
import {
  checkTarget,
  redactUrl,
  systemResolveHost,
  TargetAllowList,
  type ResolveHost,
  type ResolvedAddress,
} from './webhook-target.js';
import { signWebhook } from './webhook-signature.js';

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
  /** Attempts before a delivery goes to the dead-letter table (default 6: retries 1, 2, 4, 8, 16 s). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to maxDelayMs (default 1000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One attempt's time limit, connect to last byte of the answer's head (default 10 s). */
  timeoutMs?: number;
  /** Pending deliveries one webhook may have; past it new ones go straight to dead letters. */
  maxQueuePerWebhook?: number;
  /** CIDRs a webhook may reach although private/loopback/link-local (in-house receivers). */
  allowPrivate?: readonly string[];
  /** Host name resolution (tests inject one; default the system resolver). */
  resolveHost?: ResolveHost;
}

/** What a failed attempt stored: a class of failure, never an address, port or system error text. */
const FAILURE = {
  refused: 'target refused',
  unresolvable: 'target unresolvable',
  connection: 'connection failed',
  timeout: 'timeout',
  queueFull: 'queue full',
} as const;

const KNOWN_FAILURE =
  /^(HTTP \d{3}|target refused|target unresolvable|connection failed|timeout|queue full)$/;

/**
 * A stored delivery error as the API may show it: one of the failure classes above. Rows written
 * before they existed held system error text (addresses, ports), which is never shown.
 */
export const failureClass = (stored: string | null): string | null =>
  stored === null || KNOWN_FAILURE.test(stored) ? stored : 'delivery failed';

/** Deliveries one drain of one endpoint sends before yielding to the next wake-up. */
const DRAIN_BATCH = 100;

type Outcome = { ok: true } | { ok: false; error: string; final: boolean } | { ok: false; stopped: true };

/**
 * Outbox-style webhooks: an event is stored as one delivery row per subscribed webhook, then each
 * webhook's own queue posts them, HMAC-signed, in order and one at a time, so an endpoint that
 * hangs or fails delays only itself. A failure holds that endpoint's queue for the backoff
 * (base·2^(n-1): 1, 2, 4, 8, 16 s by default) and a delivery that keeps failing moves to
 * dead_letters. Rows survive restarts, so nothing is lost between emit and send.
 *
 * SSRF: a target is resolved and every address checked at registration and again before each
 * attempt (DNS may change), and the connection goes to the address that was checked.
 */
export class WebhookDispatcher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly allow: TargetAllowList;
  private readonly resolveHost: ResolveHost;
  private hooks: WebhookRow[] = [];
  private poll: NodeJS.Timeout | null = null;
  private started = false;
  private readonly draining = new Map<string, Promise<number>>();
  private readonly again = new Set<string>();
  private readonly wakeups = new Map<string, NodeJS.Timeout>();
  private abort = new AbortController();

  constructor(
    private readonly db: CoreDb,
    opts: WebhookDispatcherOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxQueue = opts.maxQueuePerWebhook ?? 10_000;
    this.allow = new TargetAllowList(opts.allowPrivate ?? []);
    this.resolveHost = opts.resolveHost ?? systemResolveHost;
  }

  async load(): Promise<void> {
    this.hooks = await listWebhooks(this.db);
  }

  /** Registers a webhook after checking where its URL leads; a forbidden target is a 400. */
  async register(input: NewWebhook, now = Date.now()): Promise<WebhookView> {
    const check = await checkTarget(new URL(input.url), this.allow, this.resolveHost);
    if (!check.ok)
      throw new UserError(
        'WEBHOOK_TARGET_REFUSED',
        check.reason === 'unresolvable'
          ? 'url: its host does not resolve to an address.'
          : 'url: it leads to a loopback, private, link-local, metadata or reserved address, which webhooks may not reach. An operator can allow in-house receivers with serve --webhook-allow-private CIDR,...',
      );
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

  /** Disables (no new deliveries, queue held) or re-enables a webhook; null if there is none. */
  async setActive(id: string, active: boolean): Promise<WebhookView | null> {
    const hook = this.hooks.find((h) => h.id === id);
    if (!hook || !(await setWebhookActive(this.db, id, active))) return null;
    hook.active = active ? 1 : 0;
    if (active) this.kick();
    else this.clearWakeup(id);
    return view(hook);
  }

  /** Deletes a webhook and its queue; false if there is none. */
  async remove(id: string): Promise<boolean> {
    const known = this.hooks.some((h) => h.id === id);
    this.hooks = this.hooks.filter((h) => h.id !== id);
    this.clearWakeup(id);
    return (await deleteWebhook(this.db, id)) || known;
  }

  /**
   * Queues one delivery per active webhook subscribed to `type`; returns how many were queued or,
   * for a webhook whose queue is full, dead-lettered as `queue full` (kept, never dropped).
   */
  async emit(type: WebhookEventType, data: unknown, now = Date.now()): Promise<number> {
    const targets = this.hooks.filter(
      (h) => h.active === 1 && (JSON.parse(h.events) as string[]).includes(type),
    );
    if (targets.length === 0) return 0;
    const queued: WebhookDeliveryRow[] = [];
    const overflow: WebhookDeliveryRow[] = [];
    for (const h of targets) {
      const id = `dl_${randomUUID()}`;
      const row: WebhookDeliveryRow = {
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
      ((await countPendingDeliveries(this.db, h.id)) >= this.maxQueue ? overflow : queued).push(row);
    }
    await insertDeliveries(this.db, queued);
    await insertDeadDeliveries(this.db, overflow, FAILURE.queueFull, now);
    this.kick();
    return queued.length + overflow.length;
  }

  /**
   * Sends what is due now on every endpoint, each endpoint's queue in parallel with the others;
   * returns how many attempts were made. Safe to call concurrently.
   */
  async runOnce(now = Date.now()): Promise<number> {
    const counts = await Promise.all(
      this.hooks.filter((h) => h.active === 1).map((h) => this.drain(h.id, now)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Sends due deliveries as they fall due; `intervalMs` is a safety poll (e.g. after a restart). */
  start(intervalMs = 1000): void {
    if (this.started) return;
    this.started = true;
    this.poll = setInterval(() => void this.runOnce().catch(() => undefined), intervalMs);
    this.poll.unref();
    this.kick();
  }

  /** Stops sending; an attempt in flight is abandoned and stays pending (it resumes after a start). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    for (const id of [...this.wakeups.keys()]) this.clearWakeup(id);
    this.again.clear();
    this.abort.abort();
    await Promise.allSettled([...this.draining.values()]);
    this.abort = new AbortController();
  }

  /** Backoff before attempt n+1 after n failures: base·2^(n-1), capped at maxDelayMs. */
  retryDelay(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, failures - 1));
  }

  /** Sends what is due soon after an event, once started (a stopped dispatcher sends nothing by itself). */
  private kick(): void {
    if (this.started) setImmediate(() => void this.runOnce().catch(() => undefined));
  }

  private clearWakeup(id: string): void {
    const t = this.wakeups.get(id);
    if (t) clearTimeout(t);
    this.wakeups.delete(id);
  }

  /** One endpoint's queue: at most one drain at a time; a call during one asks for another pass. */
  private drain(id: string, now: number): Promise<number> {
    const running = this.draining.get(id);
    if (running) {
      this.again.add(id);
      return running;
    }
    const p = this.drainQueue(id, now).finally(() => {
      this.draining.delete(id);
      if (this.again.delete(id)) this.kick();
      else if (this.started) void this.scheduleWakeup(id).catch(() => undefined);
    });
    this.draining.set(id, p);
    return p;
  }

  private async drainQueue(id: string, now: number): Promise<number> {
    let attempted = 0;
    const signal = this.abort.signal;
    for (let i = 0; i < DRAIN_BATCH && !signal.aborted; i++) {
      const hook = this.hooks.find((h) => h.id === id);
      if (!hook || hook.active !== 1) break;
      const d = await nextPendingDelivery(this.db, id);
      if (!d || d.next_attempt_at > Math.max(now, Date.now())) break;
      const outcome = await this.attempt(hook, d, signal);
      if ('stopped' in outcome) break;
      attempted++;
      const attempts = d.attempts + 1;
      const at = Date.now();
      if (outcome.ok) {
        await markDelivery(this.db, d.id, {
          status: 'delivered',
          attempts,
          next_attempt_at: d.next_attempt_at,
          last_error: null,
          updated_at: at,
        });
        continue;
      }
      if (outcome.final || attempts >= this.maxAttempts) {
        await deadLetter(this.db, { ...d, attempts }, outcome.error, at);
        continue;
      }
      await markDelivery(this.db, d.id, {
        status: 'pending',
        attempts,
        next_attempt_at: at + this.retryDelay(attempts),
        last_error: outcome.error,
        updated_at: at,
      });
      // The endpoint is failing: its queue waits for the backoff (order kept, no timeout storm).
      break;
    }
    if (attempted === DRAIN_BATCH) this.again.add(id);
    return attempted;
  }

  /** Wakes an endpoint's queue exactly when its next delivery falls due. */
  private async scheduleWakeup(id: string): Promise<void> {
    const d = await nextPendingDelivery(this.db, id);
    this.clearWakeup(id);
    if (!d || !this.started) return;
    const t = setTimeout(
      () => {
        this.wakeups.delete(id);
        void this.drain(id, Date.now()).catch(() => undefined);
      },
      Math.max(0, d.next_attempt_at - Date.now()),
    );
    t.unref();
    this.wakeups.set(id, t);
  }

  private async attempt(hook: WebhookRow, d: WebhookDeliveryRow, stop: AbortSignal): Promise<Outcome> {
    const url = new URL(hook.url);
    const check = await checkTarget(url, this.allow, this.resolveHost);
    if (!check.ok)
      return check.reason === 'refused'
        ? { ok: false, error: FAILURE.refused, final: true }
        : { ok: false, error: FAILURE.unresolvable, final: false };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'DistillGuard-Webhook/1',
      'x-distillguard-event': d.event_type,
      'x-distillguard-delivery': d.id,
    };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const ts = Date.now();
    headers['x-distillguard-timestamp'] = String(ts);
    headers['x-distillguard-signature'] = signWebhook(hook.secret, ts, d.payload);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    // The connection goes to an address checked above, whatever DNS answers by now (rebinding).
    const agent = new Agent({ connect: { lookup: pinnedLookup(check.addresses) } });
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        body: d.payload,
        dispatcher: agent,
        signal: AbortSignal.any([timeout, stop]),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
      return { ok: false, error: `HTTP ${res.statusCode}`, final: false };
    } catch {
      if (stop.aborted) return { ok: false, stopped: true };
      return { ok: false, error: timeout.aborted ? FAILURE.timeout : FAILURE.connection, final: false };
    } finally {
      void agent.destroy().catch(() => undefined);
    }
  }
}

/** A net.connect lookup that answers only with addresses already checked. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const usable = addresses.filter((a) => !options.family || options.family === a.family);
    const list = usable.length > 0 ? usable : addresses;
    if (options.all)
      callback(
        null,
        list.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, list[0]!.address, list[0]!.family);
  };
}

function view(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: redactUrl(row.url),
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
