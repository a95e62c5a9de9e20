import type { MessagePort } from 'node:worker_threads';
import type { AccountRecord, ApiEvent, Findings, Signal } from '../../contracts/index.js';
import type { PackedEdges } from './findings-delta.js';

/** A linkage edge between two accounts, with the attribute kinds they share. */
export interface LinkEdge {
  source: string;
  target: string;
  weight: number;
  kinds: string[];
}

export interface EngineResult {
  findings: Findings;
  edges?: readonly LinkEdge[];
  /** The same edges packed, as an engine in another thread hands them over (`findings-delta.ts`). */
  packedEdges?: PackedEdges;
  /** The findings as JSON, when asked for `withText` and the engine made it elsewhere (its own thread). */
  text?: string;
}

/**
 * What the server needs from detection: the streaming side of the one engine `analyze` also
 * uses (`DetectionEngine` from src/detect satisfies it as is). Injected, so the server does not
 * own detection and tests can choose the engine's configuration.
 */
export interface FindingsEngine {
  addAccount(record: AccountRecord): void;
  addEvent(event: ApiEvent): void;
  addBenignReference(accountId: string): void;
  addExternalSignals?(accountId: string, signals: Signal[]): void;
  /** Scores everything added so far; the full findings.v1 document plus linkage edges. */
  analyze(input?: { rejectedLines?: number; withText?: boolean }): EngineResult | Promise<EngineResult>;
  /** Resolves when it is safe to add more events without unbounded queueing (a worker thread); optional. */
  drain?(): Promise<void>;
  /**
   * Set by the streaming driver: told of each event or account record the engine refused (e.g.
   * one the hand-off to a worker thread cannot copy), so it is quarantined, not lost silently.
   */
  onUnusable?: ((u: UnusableRecord) => void) | undefined;
  /** Events added but not yet taken in (a worker thread's queue); absent: none wait. */
  backlog?(): number;
  /**
   * A port on which another thread hands events to the engine's own thread directly (an engine in
   * a worker thread; absent: the engine takes events only through `addEvent`).
   */
  openEventPort?(): MessagePort;
  /** Counts events another thread handed over on an event port; `analyze` then covers them. */
  handedOver?(events: number): void;
  /** Releases resources (a worker thread); optional. */
  close?(): Promise<void>;
}

/** An event or account record an engine could not take in; it went on without it. */
export interface UnusableRecord {
  kind: 'event' | 'account';
  /** The event id or account id. */
  id: string;
  message: string;
}

export type EngineFactory = () => FindingsEngine | Promise<FindingsEngine>;
