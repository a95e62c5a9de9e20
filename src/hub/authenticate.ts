import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import {
  getMember,
  getMemberByApiKeyHash,
  hashApiKey,
  type HubDatabase,
  type HubMember,
} from '../store/index.js';
import { verifyPassword } from './credentials.js';
import {
  AuthFailureLimit,
  PasswordCache,
  type AuthFailureLimitOptions,
  type PasswordCacheOptions,
} from './password-cache.js';

export type AuthResult =
  | { ok: true; member: HubMember }
  | { ok: false; status: 401; reason: string }
  | {
      ok: false;
      status: 429 | 503;
      code: string;
      reason: string;
      retryAfterSeconds: number;
      /** Worth an audit entry (the first refusal of a window, not every one of a flood). */
      audit: boolean;
    };

export interface HubAuthOptions {
  passwordCache?: PasswordCacheOptions;
  failureLimit?: AuthFailureLimitOptions;
  /** scrypt checks running at once (each takes tens of ms of one core). */
  maxConcurrentPasswordChecks?: number;
  /** scrypt checks waiting for a slot; beyond it a login gets 503 and Retry-After. */
  maxQueuedPasswordChecks?: number;
}

export const HUB_AUTH_DEFAULTS = { maxConcurrentPasswordChecks: 2, maxQueuedPasswordChecks: 64 };

const API_KEY = /^(?:Bearer|Token)\s+(\S+)$/i;
const BASIC = /^Basic\s+([A-Za-z0-9+/=]+)$/i;

/**
 * Authenticates hub requests: HTTP Basic (member name + password, scrypt), or an API key as
 * `Authorization: Bearer <key>`, `Authorization: Token <key>` (the OASIS TAXII client's form) or
 * `X-API-Key`. Password checks are cached per credential (PasswordCache), limited per client
 * address after failures, and bounded in concurrency, so Basic costs about what an API key does
 * and wrong passwords cannot buy unbounded CPU.
 */
export class HubAuthenticator {
  private readonly cache: PasswordCache;
  private readonly failures: AuthFailureLimit;
  private readonly maxRunning: number;
  private readonly maxQueued: number;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private checks = 0;

  constructor(
    private readonly db: Kysely<HubDatabase>,
    opts: HubAuthOptions = {},
  ) {
    this.cache = new PasswordCache(opts.passwordCache);
    this.failures = new AuthFailureLimit(opts.failureLimit);
    this.maxRunning = Math.max(
      1,
      opts.maxConcurrentPasswordChecks ?? HUB_AUTH_DEFAULTS.maxConcurrentPasswordChecks,
    );
    this.maxQueued = Math.max(0, opts.maxQueuedPasswordChecks ?? HUB_AUTH_DEFAULTS.maxQueuedPasswordChecks);
  }

  /** scrypt checks run so far (for operators and tests). */
  passwordVerifications(): number {
    return this.checks;
  }

  cachedCredentials(): number {
    return this.cache.size;
  }

  async authenticate(req: FastifyRequest): Promise<AuthResult> {
    const header = req.headers.authorization;
    const xApiKey = req.headers['x-api-key'];
    const apiKey = (Array.isArray(xApiKey) ? xApiKey[0] : xApiKey) ?? API_KEY.exec(header ?? '')?.[1];
    if (apiKey) {
      // API keys are long and random: one SHA-256 and an indexed lookup, revoked at once.
      const m = await getMemberByApiKeyHash(this.db, hashApiKey(apiKey));
      return m
        ? { ok: true, member: m }
        : { ok: false, status: 401, reason: 'The API key is not known to this hub.' };
    }
    const basic = BASIC.exec(header ?? '');
    if (basic) {
      const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) return { ok: false, status: 401, reason: 'Basic credentials must be member:password.' };
      return this.checkPassword(req.ip, text.slice(0, colon), text.slice(colon + 1));
    }
    return {
      ok: false,
      status: 401,
      reason:
        'No credentials: use HTTP Basic (member:password) or an API key (Authorization: Bearer or Token).',
    };
  }

  private async checkPassword(client: string, name: string, password: string): Promise<AuthResult> {
    const wrong = { ok: false, status: 401, reason: 'The member name or password is wrong.' } as const;
    // The member row is read on every request: the cached verdict holds only for the stored hash
    // it was checked against, so a password changed or revoked by any process ends it at once.
    const m = await getMember(this.db, name);
    const stored = m?.password_hash ?? null;
    const fingerprint = PasswordCache.fingerprint(stored);
    const key = this.cache.keyOf(name, password);
    const cached = this.cache.verdict(key, fingerprint);
    if (cached !== undefined) return cached && m && stored ? { ok: true, member: m } : wrong;

    const blocked = this.failures.blocked(client);
    if (blocked)
      return {
        ok: false,
        status: 429,
        code: 'TOO_MANY_AUTH_FAILURES',
        reason: `Too many failed password checks from your address; wait ${blocked.retryAfterSeconds} s or use an API key.`,
        retryAfterSeconds: blocked.retryAfterSeconds,
        audit: blocked.first,
      };
    if (!(await this.acquire()))
      return {
        ok: false,
        status: 503,
        code: 'AUTH_BUSY',
        reason: 'The hub is checking too many passwords at once; retry shortly or use an API key.',
        retryAfterSeconds: 1,
        audit: false,
      };
    let ok: boolean;
    try {
      this.checks++;
      // Unknown members and revoked passwords cost the same scrypt as a wrong password.
      ok = (await verifyPassword(password, stored)) && m !== undefined && stored !== null;
    } finally {
      this.release();
    }
    this.cache.remember(key, fingerprint, ok);
    if (!ok) this.failures.recordFailure(client);
    return ok ? { ok: true, member: m! } : wrong;
  }

  private async acquire(): Promise<boolean> {
    if (this.running < this.maxRunning) {
      this.running++;
      return true;
    }
    if (this.queue.length >= this.maxQueued) return false;
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return true;
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
