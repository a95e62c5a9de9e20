import { GATEWAY_DEFAULTS } from '../contracts/index.js';
import { ALLOW, effectiveDecision, type EffectiveDecision } from './effective-decision.js';
import type { DecisionSource } from './decision-source.js';

interface Entry {
  decision: EffectiveDecision;
  fetchedAt: number;
}

export interface DecisionCacheOptions {
  /** How long a decision is fresh; after that it is still used while a refresh runs. */
  ttlMs?: number;
  maxEntries?: number;
  onError?: (err: Error) => void;
  now?: () => number;
}

/**
 * Decisions for the hot path without waiting on the network. When the source can list its
 * decisions, the cache holds the whole list, refreshed every TTL in the background: one request per
 * TTL however many accounts call, and an account not on the list is allowed. Otherwise `get`
 * answers from memory at once (an unknown account is allowed until its first lookup lands, a stale
 * one keeps its last decision) and starts a per-account refresh. A failed refresh keeps what was
 * known. Fail-open is deliberate: the gateway must not take the model API down when the server is
 * unreachable; enforcement catches up within one refresh.
 */
export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<string>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** The source's full list of decisions, once one listing has succeeded. */
  private listed: Map<string, EffectiveDecision> | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing = false;

  constructor(
    private readonly source: DecisionSource,
    private readonly opts: DecisionCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? GATEWAY_DEFAULTS.decisionTtl * 1000;
    this.maxEntries = opts.maxEntries ?? 200_000;
    this.now = opts.now ?? Date.now;
    for (const d of source.snapshot()) this.put(d.account_id, effectiveDecision(d));
  }

  /** Start keeping the full list in sync (no-op for sources that cannot list). */
  async startSync(): Promise<void> {
    if (!this.source.list || this.syncTimer) return;
    this.syncTimer = setInterval(() => void this.sync(), this.ttlMs);
    this.syncTimer.unref();
    await this.sync();
  }

  stopSync(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
  }

  /** Fetch the full list now; on failure keep the last list (or per-account lookups if none). */
  async sync(): Promise<void> {
    if (!this.source.list || this.syncing) return;
    this.syncing = true;
    try {
      const next = new Map<string, EffectiveDecision>();
      for await (const page of this.source.list())
        for (const d of page) next.set(d.account_id, effectiveDecision(d));
      // Swap only a complete list: a listing that fails half-way keeps the previous one.
      this.listed = next;
    } catch (err) {
      this.opts.onError?.(err as Error);
    } finally {
      this.syncing = false;
    }
  }

  get(accountId: string): EffectiveDecision {
    const now = this.now();
    if (this.listed) {
      const d = this.listed.get(accountId);
      if (!d || (d.expiresAtMs !== null && d.expiresAtMs <= now))
        return { ...ALLOW, subject: `account:${accountId}` };
      return d;
    }
    const entry = this.entries.get(accountId);
    if (!entry || now - entry.fetchedAt > this.ttlMs) void this.refresh(accountId);
    const d = entry?.decision;
    if (!d || (d.expiresAtMs !== null && d.expiresAtMs <= now))
      return { ...ALLOW, subject: `account:${accountId}` };
    return d;
  }

  /** Fetch one account's decision now (deduplicated); resolves when the cache holds the answer. */
  async refresh(accountId: string): Promise<void> {
    if (this.inFlight.has(accountId)) return;
    this.inFlight.add(accountId);
    try {
      const d = await this.source.lookup(accountId);
      this.put(accountId, d ? effectiveDecision(d) : { ...ALLOW, subject: `account:${accountId}` });
    } catch (err) {
      this.opts.onError?.(err as Error);
      // Keep the last decision but retry no sooner than one TTL from now.
      const prev = this.entries.get(accountId);
      this.put(accountId, prev?.decision ?? { ...ALLOW, subject: `account:${accountId}` });
    } finally {
      this.inFlight.delete(accountId);
    }
  }

  get size(): number {
    return this.listed ? this.listed.size : this.entries.size;
  }

  private put(accountId: string, decision: EffectiveDecision): void {
    this.entries.delete(accountId);
    this.entries.set(accountId, { decision, fetchedAt: this.now() });
    // Map keeps insertion order, so the first key is the least recently refreshed.
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
