import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { ApiEvent } from '../contracts/index.js';
import type { HandedOff } from '../pipeline/index.js';
import type { StoredEvents } from './event-ingest.js';

/**
 * serve's ingest thread (ingest-thread.ts) and the API thread's side of it (ingest-thread-client.ts).
 * Not validated at the boundary: both ends are this build.
 */

/** The thread's `workerData`. */
export interface IngestThreadData {
  /** Its own connection: a second SQLite connection (WAL) or a PostgreSQL pool of its own. */
  database: { url: string; schema?: string | undefined; poolSize: number };
  maxDecodedBytes: number;
  /** Where stored events go to the engine's thread directly (moved in `transferList`). */
  enginePort?: MessagePort | undefined;
}

export interface IngestRequest {
  type: 'events';
  id: number;
  /** The request body as received (moved, not copied). */
  body: Uint8Array;
  encoding?: string | undefined;
  refuseEmpty: boolean;
  /** `engine`: hand new events to the engine port; `return`: send them back (held during the rebuild). */
  handOff: 'engine' | 'return';
}

/** An error as it crosses the thread: a UserError keeps its code; others their status and driver code. */
export interface WireError {
  name: string;
  message: string;
  stack?: string | undefined;
  userCode?: string | undefined;
  details?: unknown;
  statusCode?: number | undefined;
  code?: string | undefined;
}

export type IngestReply =
  | {
      type: 'stored';
      id: number;
      stored: StoredEvents;
      /** `return` hand-off: the new events, for the API thread to give to detection. */
      fresh?: ApiEvent[];
      /** `engine` hand-off: what went to the engine's thread. */
      handed?: HandedOff;
    }
  | { type: 'failed'; id: number; error: WireError };

/** The compiled thread entry, for `new Worker`. */
export const INGEST_THREAD_URL = new URL('./ingest-thread.js', import.meta.url);

/** True where the compiled entry exists (the built server); sources run under tests do not have it. */
export const ingestThreadAvailable = (): boolean => existsSync(fileURLToPath(INGEST_THREAD_URL));
