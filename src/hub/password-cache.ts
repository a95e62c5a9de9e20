import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface PasswordCacheOptions {
  /** Most credentials remembered at once; the least recently used go first. */
  maxEntries?: number;
  /** How long a verified password is trusted without running scrypt again. */
  ttlMs?: number;
  /** How long a wrong password is remembered as wrong (a retrying client costs no scrypt). */
  failureTtlMs?: number;
  now?: () => number;
}

export const PASSWORD_CACHE_DEFAULTS = { maxEntries: 10_000, ttlMs: 60_000, failureTtlMs: 10_000 };

interface Entry {
  ok: boolean;
  /** SHA-256 of the stored scrypt hash the password was checked against. */
  stored: string;
  expiresAt: number;
}

/**
 * Results of scrypt password checks, so HTTP Basic costs one scrypt per credential per TTL
 * instead of one per request. Keys are HMAC-SHA256 of the whole presented credential under a
 * random per-process key; values are only the verdict and a fingerprint of the stored hash it was
 * checked against. A verdict counts only while the member's stored hash is unchanged, so a
 * changed or revoked password stops working at once, from whichever process changed it.
 */
export class PasswordCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly now: () => number;

  constructor(opts: PasswordCacheOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? PASSWORD_CACHE_DEFAULTS.maxEntries);
    this.ttlMs = opts.ttlMs ?? PASSWORD_CACHE_DEFAULTS.ttlMs;
    this.failureTtlMs = opts.failureTtlMs ?? PASSWORD_CACHE_DEFAULTS.failureTtlMs;
    this.now = opts.now ?? Date.now;
  }

  keyOf(member: string, password: string): string {
    return createHmac('sha256', this.key)
      .update(member)
      .update('\u0000')
      .update(password)
      .digest('base64url');
  }

  static fingerprint(storedHash: string | null): string {
    return createHash('sha256')
      .update(storedHash ?? '')
      .digest('base64url');
  }

  /** The remembered verdict for this credential against this stored hash, if still fresh. */
  verdict(key: string, storedFingerprint: string): boolean | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now() || e.stored !== storedFingerprint) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last, so eviction takes the oldest.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.ok;
  }

  remember(key: string, storedFingerprint: string, ok: boolean): void {
    this.entries.delete(key);
    this.entries.set(key, {
      ok,
      stored: storedFingerprint,
      expiresAt: this.now() + (ok ? this.ttlMs : this.failureTtlMs),
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface AuthFailureLimitOptions {
  /** Failed password checks one client address may cause per window before it must wait. */
  failuresPerWindow?: number;
  windowMs?: number;
  /** Client addresses tracked at once (oldest forgotten first). */
  maxClients?: number;
  now?: () => number;
}

export const AUTH_FAILURE_DEFAULTS = { failuresPerWindow: 10, windowMs: 60_000, maxClients: 10_000 };

/** Fixed-window count of failed password checks per client address. */
export class AuthFailureLimit {
  private readonly clients = new Map<string, { since: number; failures: number; told: boolean }>();
  private readonly failuresPerWindow: number;
  private readonly windowMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(opts: AuthFailureLimitOptions = {}) {
    this.failuresPerWindow = opts.failuresPerWindow ?? AUTH_FAILURE_DEFAULTS.failuresPerWindow;
    this.windowMs = opts.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs;
    this.maxClients = opts.maxClients ?? AUTH_FAILURE_DEFAULTS.maxClients;
    this.now = opts.now ?? Date.now;
  }

  private current(client: string): { since: number; failures: number; told: boolean } | undefined {
    const c = this.clients.get(client);
    if (c && this.now() - c.since >= this.windowMs) {
      this.clients.delete(client);
      return undefined;
    }
    return c;
  }

  /** Seconds until the client may try a password again (and whether this is the first refusal), or undefined. */
  blocked(client: string): { retryAfterSeconds: number; first: boolean } | undefined {
    const c = this.current(client);
    if (!c || c.failures < this.failuresPerWindow) return undefined;
    const first = !c.told;
    c.told = true;
    return {
      retryAfterSeconds: Math.max(1, Math.ceil((c.since + this.windowMs - this.now()) / 1000)),
      first,
    };
  }

  recordFailure(client: string): void {
    const c = this.current(client);
    if (c) c.failures++;
    else {
      this.clients.set(client, { since: this.now(), failures: 1, told: false });
      while (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value!);
    }
  }
}
