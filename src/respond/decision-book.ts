import type { CoreDb, DecisionRow } from '../store/index.js';
import { loadDecisionRows, saveDecisionChanges } from '../store/index.js';
import {
  Decision,
  yieldToEventLoop,
  type DecisionAction,
  type DecisionScope,
  type Findings,
} from '../contracts/index.js';
import { defaultDecision, type DecisionChange } from './account-decision.js';
import { evaluatePolicy, type PolicyDecision } from './evaluate-policy.js';
import type { LoadedPolicy } from './response-policy.js';

interface Entry {
  row: DecisionRow;
  /** The answer, built once per change so reads are a map lookup. */
  view: Decision;
}

export interface ManualDecisionInput {
  account_ids: readonly string[];
  action: DecisionAction;
  reason: string;
  scope: DecisionScope;
  cluster_id: string | null;
  ttl_seconds?: number | null | undefined;
  actor: string;
}

export type DecisionListener = (changes: readonly DecisionChange[]) => void | Promise<void>;

/**
 * The decisions enforcement points read, answered from memory and kept in sync with the store.
 * Policy decisions follow findings; manual decisions (analysts, case outcomes) override them
 * until they expire. Every change of action, source, scope, cluster or watch is persisted and
 * reported to listeners (webhooks).
 */
export class DecisionBook {
  private readonly policyEntries = new Map<string, Entry>();
  private readonly manualEntries = new Map<string, Entry>();
  private readonly listeners: DecisionListener[] = [];
  private loaded: LoadedPolicy;

  private constructor(
    private readonly db: CoreDb,
    loaded: LoadedPolicy,
  ) {
    this.loaded = loaded;
  }

  /** Loads stored decisions so enforcement is answered right away after a restart. */
  static async open(db: CoreDb, policy: LoadedPolicy): Promise<DecisionBook> {
    const book = new DecisionBook(db, policy);
    for (const row of await loadDecisionRows(db)) {
      const entry = book.entry(row);
      (row.source === 'manual' ? book.manualEntries : book.policyEntries).set(row.account_id, entry);
    }
    return book;
  }

  get policy(): LoadedPolicy {
    return this.loaded;
  }

  onChange(listener: DecisionListener): void {
    this.listeners.push(listener);
  }

  /** The decision in force for an account: O(1), no I/O. */
  get(accountId: string, now = Date.now()): Decision {
    const manual = this.manualEntries.get(accountId);
    if (manual && (manual.row.expires_at === null || manual.row.expires_at > now)) return manual.view;
    return this.policyEntries.get(accountId)?.view ?? defaultDecision(accountId);
  }

  /** Every account whose decision is not the default, optionally one action. */
  list(action?: DecisionAction, now = Date.now()): Decision[] {
    const ids = new Set([...this.policyEntries.keys(), ...this.manualEntries.keys()]);
    const out: Decision[] = [];
    for (const id of ids) {
      const d = this.get(id, now);
      if (d.updated_at === null) continue;
      if (action && d.action !== action) continue;
      out.push(d);
    }
    return out.sort((a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0));
  }

  /** Re-derives policy decisions from new findings; persists and reports what changed. */
  async applyFindings(findings: Findings, now = Date.now()): Promise<DecisionChange[]> {
    const outcomes = evaluatePolicy(this.loaded.policy, findings);
    // Reading the findings and updating the book are each one block of the thread that answers
    // lookups; a turn of the event loop between them halves the longest. The book is read after it.
    await yieldToEventLoop();
    const ids = new Set([...this.policyEntries.keys(), ...outcomes.keys()]);
    const before = new Map<string, Decision>();
    for (const id of ids) before.set(id, this.get(id, now));
    for (const id of ids) {
      const o = outcomes.get(id);
      if (!o) {
        this.policyEntries.delete(id);
        continue;
      }
      const prev = this.policyEntries.get(id);
      const same = prev && sameOutcome(prev, o);
      // Most rounds change few decisions: an unchanged one keeps its checked answer (no re-parse).
      if (
        same &&
        prev.row.reason === o.reason &&
        prev.row.expires_at === null &&
        prev.row.updated_by === 'policy'
      )
        continue;
      const row: DecisionRow = {
        account_id: id,
        action: o.action,
        reason: o.reason,
        source: o.source,
        scope: o.scope,
        cluster_id: o.cluster_id,
        expires_at: null,
        updated_at: same ? prev.row.updated_at : now,
        updated_by: 'policy',
        watch: o.watch ? 1 : 0,
      };
      this.policyEntries.set(id, this.entry(row));
    }
    return this.commit(before, now);
  }

  /** Sets an analyst's (or a case outcome's) decision on accounts; it overrides policy until it expires. */
  async setManual(input: ManualDecisionInput, now = Date.now()): Promise<DecisionChange[]> {
    const ttl = input.ttl_seconds ?? this.loaded.policy.manual_ttl_seconds;
    const before = new Map<string, Decision>();
    for (const id of input.account_ids) before.set(id, this.get(id, now));
    for (const id of input.account_ids) {
      const row: DecisionRow = {
        account_id: id,
        action: input.action,
        reason: input.reason,
        source: 'manual',
        scope: input.scope,
        cluster_id: input.cluster_id,
        expires_at: ttl ? now + ttl * 1000 : null,
        updated_at: now,
        updated_by: input.actor,
        watch: 0,
      };
      this.manualEntries.set(id, this.entry(row));
    }
    return this.commit(before, now, new Set(input.account_ids));
  }

  /** Drops manual decisions that expired, falling back to policy; persists and reports. */
  async sweepExpired(now = Date.now()): Promise<DecisionChange[]> {
    const expired = [...this.manualEntries.values()].filter(
      (e) => e.row.expires_at !== null && e.row.expires_at <= now,
    );
    if (expired.length === 0) return [];
    const before = new Map<string, Decision>(expired.map((e) => [e.row.account_id, e.view]));
    for (const e of expired) this.manualEntries.delete(e.row.account_id);
    return this.commit(before, now, new Set(before.keys()));
  }

  private async commit(
    before: Map<string, Decision>,
    now: number,
    force?: Set<string>,
  ): Promise<DecisionChange[]> {
    const changes: DecisionChange[] = [];
    const upserts: DecisionRow[] = [];
    const deletes: string[] = [];
    for (const [id, previous] of before) {
      const current = this.get(id, now);
      if (!force?.has(id) && !materiallyDifferent(previous, current)) continue;
      const manual = this.manualEntries.get(id);
      const effective =
        manual && (manual.row.expires_at === null || manual.row.expires_at > now)
          ? manual
          : this.policyEntries.get(id);
      if (effective) upserts.push(effective.row);
      else deletes.push(id);
      if (materiallyDifferent(previous, current) || force?.has(id))
        changes.push({ account_id: id, previous, current });
    }
    await saveDecisionChanges(this.db, upserts, deletes);
    if (changes.length > 0) for (const l of this.listeners) await l(changes);
    return changes;
  }

  /**
   * The answer enforcement points read, checked against the contract once per change: rows come
   * from the database, and a row the gateway would refuse must fail here, naming the account.
   */
  private entry(row: DecisionRow): Entry {
    const p = this.loaded.policy;
    const parsed = Decision.safeParse({
      account_id: row.account_id,
      action: row.action,
      reason: row.reason,
      source: row.source,
      scope: row.scope,
      cluster_id: row.cluster_id,
      expires_at: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
      watch: row.watch === 1,
      ...(row.action === 'throttle' ? { rate_per_minute: p.throttle.rate_per_minute } : {}),
      ...(row.action === 'degrade' ? { degrade: { ...p.degrade } } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `stored decision for ${row.account_id} breaks the decision contract: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return { row, view: parsed.data };
  }
}

function sameOutcome(prev: Entry, o: PolicyDecision): boolean {
  return (
    prev.row.action === o.action &&
    prev.row.source === o.source &&
    prev.row.scope === o.scope &&
    prev.row.cluster_id === o.cluster_id &&
    prev.row.watch === (o.watch ? 1 : 0)
  );
}

/** Changes an enforcement point cares about; a re-worded reason alone is not one. */
function materiallyDifferent(a: Decision, b: Decision): boolean {
  return (
    a.action !== b.action ||
    a.source !== b.source ||
    a.scope !== b.scope ||
    a.cluster_id !== b.cluster_id ||
    a.watch !== b.watch ||
    a.expires_at !== b.expires_at
  );
}
