import type { MessagePort } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { yieldToEventLoop, type AccountRecord, type ApiEvent, type Findings } from '../../contracts/index.js';
import type { DecisionBook } from '../../respond/index.js';
import {
  allAccountRecords,
  latestFindingsSnapshot,
  listBenignReference,
  quarantineStoredEvent,
  saveFindingsSnapshot,
  streamStoredEvents,
  type CoreDb,
} from '../../store/index.js';
import { parseJsonText, validateEvent, type LineResult } from '../../ingest/index.js';
import type { FindingsEngine, UnusableRecord } from './findings-engine.js';
import { FindingsView } from './findings-view.js';

export interface LiveStats {
  events: number;
  rejected_lines: number;
  from: string | null;
  to: string | null;
}

/** Events another thread stored and handed to the engine's thread itself (serve's ingest thread). */
export interface HandedOff {
  events: number;
  /** The earliest and latest `ts` among them (null when none). */
  from: string | null;
  to: string | null;
  /** Events the hand-off could not carry (quarantined like those the engine refuses). */
  unusable: UnusableRecord[];
}

export interface LiveDetectionOptions {
  db: CoreDb;
  engine: FindingsEngine;
  decisions: DecisionBook;
  log?: FastifyBaseLogger;
  /** Shortest pause between re-scorings while events keep arriving. */
  minRefreshMs?: number;
  /** How often a findings snapshot is persisted (for other tools and restarts). */
  snapshotEveryMs?: number;
  /** Re-read findings this often even without new events (findings made elsewhere: scale-out workers). */
  pollEveryMs?: number;
  /** Do not store snapshots (they come from elsewhere). */
  readOnly?: boolean;
}

/**
 * The streaming driver: feeds stored events to the detection engine as they arrive, re-scores
 * on a timer while anything changed (never per request), and pushes new findings to decisions.
 * On start it rebuilds engine state from the store, so a restart loses nothing that was stored.
 */
export class LiveDetection {
  private current = FindingsView.empty();
  private pending: ApiEvent[] | null = null;
  private dirty = false;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSnapshot = 0;
  private lastRefreshMs = 0;
  private fromMs = Infinity;
  private toMs = -Infinity;
  private readonly minRefreshMs: number;
  private readonly snapshotEveryMs: number;
  readonly stats: LiveStats = { events: 0, rejected_lines: 0, from: null, to: null };
  /** Bumped on every refresh; caches key on it. */
  version = 0;
  /** Events fed to the engine when the newest completed scoring round began (all of them are in its findings). */
  private scoredEvents = 0;
  /** Told of each scoring round: its duration, and whether it failed (metrics). */
  onScoringRound: ((seconds: number, ok: boolean) => void) | undefined;

  private log: FastifyBaseLogger;

  constructor(private readonly o: LiveDetectionOptions) {
    this.log = o.log ?? pino({ level: 'silent' });
    o.engine.onUnusable = (u) => this.engineRefused(u);
    this.minRefreshMs = o.minRefreshMs ?? 1500;
    this.snapshotEveryMs = o.snapshotEveryMs ?? 30_000;
  }

  useLogger(log: FastifyBaseLogger): void {
    this.log = log;
  }

  get view(): FindingsView {
    return this.current;
  }

  /**
   * Events accepted but not yet applied by the engine: held back during the rebuild, or queued
   * for the engine's thread.
   */
  get backlog(): number {
    return (this.pending?.length ?? 0) + (this.o.engine.backlog?.() ?? 0);
  }

  /** Events the engine has taken in (since this process started, the rebuild included). */
  get applied(): number {
    return this.stats.events - (this.o.engine.backlog?.() ?? 0);
  }

  /** Events handed to the engine that no completed scoring round has covered yet. */
  get unscored(): number {
    return this.stats.events - this.scoredEvents;
  }

  /** True while `replay` runs; queries are then answered from the last stored findings snapshot. */
  get replaying(): boolean {
    return this.pending !== null;
  }

  /**
   * Rebuilds engine state from the store: accounts, benign reference, then every event in time
   * order. The server already listens meanwhile: events ingested during the replay are stored,
   * held back, and fed after it (each exactly once), so the engine still sees time order.
   */
  async replay(): Promise<{ events: number; accounts: number }> {
    const startedAt = Date.now();
    this.pending = [];
    let n = 0;
    let records: AccountRecord[] = [];
    try {
      const snapshot = await latestFindingsSnapshot(this.o.db);
      if (snapshot) {
        this.current = new FindingsView(snapshot);
        this.version++;
      }
      records = await allAccountRecords(this.o.db);
      for (const r of records) this.feedAccount(r);
      for (const id of await listBenignReference(this.o.db)) this.o.engine.addBenignReference(id);
      // Events received after the start may also be in `pending`; remember which the stream fed.
      const fedLate = new Set<string>();
      for await (const row of streamStoredEvents(this.o.db)) {
        const checked = usableStoredEvent(row.body);
        if (!checked.ok) {
          await this.quarantine(row.id, checked.reason, checked.message);
          continue;
        }
        const event = checked.value;
        if (!this.feed(event)) continue;
        if (row.receivedAt >= startedAt) fedLate.add(event.id);
        if (++n % 2000 === 0) await this.o.engine.drain?.();
      }
      const held = this.pending;
      this.pending = null;
      for (const e of held) if (!fedLate.has(e.id)) this.feed(e);
    } finally {
      this.pending = null;
    }
    this.dirty = true;
    await this.refresh();
    return { events: n, accounts: records.length };
  }

  /** Events already stored durably; only new ones (not duplicates) may be passed here. */
  addEvents(events: readonly ApiEvent[]): void {
    if (this.pending) {
      this.pending.push(...events);
      return;
    }
    for (const e of events) this.feed(e);
    if (events.length > 0) this.dirty = true;
  }

  /**
   * A port on which another thread hands stored events to the engine directly (`handedOff` counts
   * them here); undefined when the engine has no thread of its own.
   */
  openEventPort(): MessagePort | undefined {
    return this.o.engine.openEventPort?.();
  }

  /**
   * Whether events stored now may go to the engine through an event port. Not during the rebuild:
   * events stored meanwhile are held back here and fed after it, in order and exactly once.
   */
  get takesHandOff(): boolean {
    return !this.pending && this.o.engine.openEventPort !== undefined;
  }

  /** Counts events another thread stored and handed to the engine directly, as `addEvents` would. */
  handedOff(h: HandedOff): void {
    this.o.engine.handedOver?.(h.events);
    this.stats.events += h.events;
    if (h.from !== null) this.trackTs(h.from);
    if (h.to !== null) this.trackTs(h.to);
    if (h.events > 0) this.dirty = true;
    for (const u of h.unusable) this.engineRefused(u);
  }

  /** Waits while the engine is behind (worker engines), so ingest pushes back instead of queueing. */
  async backpressure(): Promise<void> {
    if (!this.pending) await this.o.engine.drain?.();
  }

  /** Gives one event to the engine; false (and the event quarantined) when the engine throws on it. */
  private feed(e: ApiEvent): boolean {
    try {
      this.o.engine.addEvent(e);
    } catch (err) {
      this.engineRefused({ kind: 'event', id: e.id, message: errorText(err) });
      return false;
    }
    this.track(e);
    return true;
  }

  /** An account record the engine throws on is logged and left out; the others still count. */
  private feedAccount(r: AccountRecord): void {
    try {
      this.o.engine.addAccount(r);
    } catch (err) {
      this.engineRefused({ kind: 'account', id: r.account_id, message: errorText(err) });
    }
  }

  /** The engine could not take an event or account record: quarantine a stored event, log either. */
  private engineRefused(u: UnusableRecord): void {
    if (u.kind === 'event')
      void this.quarantine(u.id, 'unusable', `the detection engine refused it: ${u.message}`);
    else
      this.log.warn(
        { account_id: u.id, reason: u.message },
        'account record refused by the detection engine',
      );
  }

  private async quarantine(id: string, reason: string, message: string): Promise<void> {
    // Ids and reasons only: the log never carries event content.
    this.log.warn({ event_id: id, reason }, 'stored event quarantined');
    try {
      await quarantineStoredEvent(this.o.db, { id, reason, message });
    } catch (err) {
      this.log.error(
        { event_id: id, err: { type: (err as Error).name } },
        'quarantining a stored event failed',
      );
    }
  }

  addAccounts(records: readonly AccountRecord[]): void {
    for (const r of records) this.feedAccount(r);
    if (records.length > 0) this.dirty = true;
  }

  addBenign(accountIds: readonly string[]): void {
    for (const id of accountIds) this.o.engine.addBenignReference(id);
    if (accountIds.length > 0) this.dirty = true;
  }

  countRejected(n: number): void {
    this.stats.rejected_lines += n;
  }

  start(): void {
    if (this.timer) return;
    if (this.o.pollEveryMs) {
      const poll = setInterval(() => (this.dirty = true), this.o.pollEveryMs);
      poll.unref();
    }
    const tick = () => {
      this.timer = setTimeout(
        () => void this.refresh().then(tick, (err: unknown) => this.logFailure(err, tick)),
        Math.max(this.minRefreshMs, 3 * this.lastRefreshMs),
      );
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.refreshing?.catch(() => undefined);
    await this.o.engine.close?.();
  }

  /**
   * Re-scores if anything changed. A caller that arrives while a scoring runs waits for it and
   * then scores again if events came in meanwhile, so after `await refresh()` the findings
   * reflect everything added before the call.
   */
  async refresh(): Promise<void> {
    while (this.refreshing) await this.refreshing.catch(() => undefined);
    if (!this.dirty) return;
    this.refreshing = this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    this.dirty = false;
    const t0 = performance.now();
    const covered = this.stats.events;
    const snapshotDue = !this.o.readOnly && Date.now() - this.lastSnapshot >= this.snapshotEveryMs;
    let result: Awaited<ReturnType<FindingsEngine['analyze']>>;
    try {
      result = await this.o.engine.analyze({
        rejectedLines: this.stats.rejected_lines,
        withText: snapshotDue,
      });
    } catch (err) {
      this.onScoringRound?.((performance.now() - t0) / 1000, false);
      throw err;
    }
    this.scoredEvents = Math.max(this.scoredEvents, covered);
    const findings: Findings = result.findings;
    // This thread answers enforcement lookups: the round's parts (indexing the findings, deriving
    // decisions) each take their own turn of the event loop, so a lookup waits for one of them
    // (each ~2–10 ms on small seed 1), not for the whole round (bench/live-rounds.js).
    await yieldToEventLoop();
    this.current = new FindingsView(findings, result.packedEdges ?? result.edges);
    this.version++;
    this.lastRefreshMs = performance.now() - t0;
    this.onScoringRound?.(this.lastRefreshMs / 1000, true);
    await yieldToEventLoop();
    const changes = await this.o.decisions.applyFindings(findings);
    this.log.info(
      {
        accounts: findings.accounts.length,
        clusters: findings.clusters.length,
        decision_changes: changes.length,
        ms: Math.round(this.lastRefreshMs),
      },
      'findings refreshed',
    );
    if (snapshotDue) {
      await yieldToEventLoop();
      this.lastSnapshot = Date.now();
      await saveFindingsSnapshot(this.o.db, findings, { body: result.text });
    }
  }

  private track(e: ApiEvent): void {
    this.stats.events++;
    this.trackTs(e.ts);
  }

  private trackTs(ts: string): void {
    const ms = Date.parse(ts);
    if (ms < this.fromMs) {
      this.fromMs = ms;
      this.stats.from = ts;
    }
    if (ms > this.toMs) {
      this.toMs = ms;
      this.stats.to = ts;
    }
  }

  private logFailure(err: unknown, next: () => void): void {
    const e = err as Error;
    this.log.error(
      { err: { type: e.name, stack: e.stack?.split('\n').slice(1).join('\n') } },
      'findings refresh failed',
    );
    this.dirty = true;
    next();
  }
}

const errorText = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/**
 * A stored event as today's ingest would accept it, or why not: a row that is not JSON or fails
 * validation (stored before a bound existed, or written by hand) is quarantined by the rebuild,
 * which carries on without it.
 */
function usableStoredEvent(body: string): LineResult<ApiEvent> {
  const parsed = parseJsonText(body, (err) => `stored event is not valid JSON: ${errorText(err)}`);
  if (!parsed.ok) return parsed;
  const r = validateEvent(parsed.value);
  return r.ok ? r : { ...r, message: `stored event refused by validation: ${r.message}` };
}
