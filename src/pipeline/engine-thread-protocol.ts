import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { AccountRecord, ApiEvent, DetectConfigInput } from '../contracts/index.js';
import type { PartitionState } from '../findings/index.js';
import type { BatchResult, IngestOptions, LineBatch } from '../ingest/index.js';
import type { UnusableRecord } from './live/findings-engine.js';
import type { FindingsDelta } from './live/findings-delta.js';

/**
 * The one worker-thread protocol: a DetectionEngine in a thread (engine-thread.ts), driven by the
 * batch driver's partition workers (analyze-threads.ts: raw lines in, partition state out) and by
 * the server's live engine (live/engine-thread-client.ts: events in, findings out). Both sides
 * compile against these types; engine-thread-host.test.ts drives every message through a real
 * structured clone. Not validated at the boundary: both ends are this build, and the hot path
 * sends millions of events through it.
 */

/** The thread's `workerData`: how its engine and line processor are set up. */
export interface EngineThreadData {
  /** Detection config (default: the built-in one, as `serve` runs). */
  config?: DetectConfigInput | undefined;
  /** Parsing of raw line batches (`lines` requests). */
  ingest?: Pick<IngestOptions, 'dedupe' | 'maxLineBytes'>;
}

/**
 * Messages to the thread, handled in order (FIFO), so records always arrive before the analyze or
 * export that follows them. Those with an `id` get a reply with that id.
 */
export type EngineRequest =
  /** Account records; any the engine throws on are skipped and reported (`unusable`). */
  | { type: 'accounts'; records: AccountRecord[] }
  /** Parsed events (live); always acknowledged, with the events the engine threw on. */
  | { type: 'events'; id: number; events: ApiEvent[] }
  /** Raw NDJSON lines of this partition's accounts (batch); answered with the batch's result. */
  | { type: 'lines'; id: number; batch: LineBatch }
  /** Whether this partition kept an event with this id (cross-partition duplicate check). */
  | { type: 'has'; id: number; eventId: string }
  | { type: 'benign'; accountIds: string[] }
  /**
   * Scores everything taken in. `handedOver`: events other threads had handed over on event ports
   * when this was asked; scoring waits until that many have arrived (ports are not ordered with
   * this one), unless no event port is open any more. `base`: the round of findings the asking
   * thread holds, so the answer carries only what changed since (`FindingsDelta`); 0 or absent: none.
   * `text`: the answer also carries the whole findings as JSON (for a stored snapshot).
   */
  | { type: 'analyze'; id: number; rejectedLines: number; handedOver?: number; base?: number; text?: boolean }
  /**
   * A port on which another thread (serve's ingest thread) posts events straight to this engine
   * (`EventPortMessage`), so they never pass through the thread that owns the engine.
   */
  | { type: 'port'; port: MessagePort }
  /** The engine's state, to merge into the reading thread's engine (batch). */
  | { type: 'export'; id: number };

export type EngineReply =
  /** An event batch taken in (frees its in-flight slot), with the events the engine threw on. */
  | { type: 'ack'; id: number; unusable: UnusableRecord[] }
  /** Events taken in from an event port (counted by whoever handed them over), with those the engine threw on. */
  | { type: 'taken'; events: number; unusable: UnusableRecord[] }
  /** Account records the engine threw on (skipped; the others were taken in). */
  | { type: 'unusable'; unusable: UnusableRecord[] }
  | { type: 'lines'; id: number; result: BatchResult }
  | { type: 'has'; id: number; has: boolean }
  | { type: 'result'; id: number; delta: FindingsDelta; text?: string }
  | { type: 'state'; id: number; state: PartitionState }
  /** The request with this id failed; the thread goes on. */
  | { type: 'error'; id: number; message: string };

/** What another thread posts on an event port; nothing is answered on the port itself. */
export interface EventPortMessage {
  type: 'events';
  events: ApiEvent[];
}

/** The buffers of a line batch, moved (not copied) to the thread. */
export const lineBatchTransfer = (batch: LineBatch): ArrayBuffer[] => [
  batch.bytes.buffer as ArrayBuffer,
  batch.scans.buffer as ArrayBuffer,
  batch.scanNumbers.buffer as ArrayBuffer,
];

/** The one engine-thread entry (compiled), for `new Worker`. */
export const ENGINE_THREAD_URL = new URL('./engine-thread.js', import.meta.url);

/** True where the compiled entry exists (the built CLI and server); sources run under tests do not have it. */
export const engineThreadAvailable = (): boolean => existsSync(fileURLToPath(ENGINE_THREAD_URL));
