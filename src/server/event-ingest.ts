import { insertEvents, type CoreDb } from '../store/index.js';
import { UserError, type ApiEvent } from '../contracts/index.js';
import type { EventSink, LiveDetection } from '../pipeline/index.js';
import {
  decodeBody,
  dedupeById,
  parseEventBatch,
  rejectedRecords,
  type LineError,
  type ParsedBatch,
} from './ingest-body.js';
import type { ServeMetrics } from './serve-metrics.js';

/** Rejected lines listed in an answer (all are counted). */
export const MAX_ERRORS_LISTED = 1000;

/** What storing one body of events did; plain data, so it crosses from the ingest thread as is. */
export interface StoredEvents {
  /** Valid events in the body, repeats of an id within it included. */
  valid: number;
  /** New events stored. */
  accepted: number;
  /** Valid events stored before (or earlier in the same body). */
  duplicates: number;
  rejected: number;
  /** Every rejected line, in order. */
  errors: LineError[];
}

export interface EventBodyOptions {
  /** The request's Content-Encoding (gzip is undone within `maxDecodedBytes`). */
  encoding?: string | undefined;
  /**
   * Refuse a body with rejected lines and no valid event (400 INVALID_INPUT, nothing stored), as
   * POST /v1/events does; the guardrail webhooks keep what they can and name the rest.
   */
  refuseEmpty: boolean;
}

export type IngestState = 'in-process' | 'running' | 'restarting' | 'closed';

/**
 * Where a body of events is read, validated, stored and handed to live detection: serve's ingest
 * thread where it can run (`IngestThread`), else this process (`InProcessIngest`). Both run
 * `storeEventBody` and `finishStored`; the routes keep auth, size limits and answering.
 */
export interface EventIngest {
  events(route: string, body: Buffer, opts: EventBodyOptions): Promise<StoredEvents>;
  /** `in-process`, or the ingest thread's state (`restarting` while it is down: requests get 503). */
  readonly state: IngestState;
  close(): Promise<void>;
}

/** A stored body: the answer's counts and what the caller hands on (to detection, to the stream). */
export interface StoredBody {
  stored: StoredEvents;
  /** The body after gzip, and its parse (rejected lines' text for quarantine records). */
  decoded: Buffer;
  batch: ParsedBatch<ApiEvent>;
  /** Valid events, first of each id (all go to the scale-out stream). */
  unique: ApiEvent[];
  /** Events not stored before (these go to live detection). */
  fresh: ApiEvent[];
}

/**
 * The one way a body of events is read and stored, in the ingest thread and in process alike:
 * gzip undone, each line judged alone by ingest's rules, the valid ones stored durably by id (a
 * body refused for having none stores nothing).
 */
export async function storeEventBody(
  db: CoreDb,
  body: Buffer,
  opts: EventBodyOptions,
  maxDecodedBytes: number,
): Promise<StoredBody> {
  const decoded = await decodeBody(body, opts.encoding, maxDecodedBytes);
  const batch = await parseEventBatch(decoded);
  const refused = opts.refuseEmpty && batch.items.length === 0 && batch.errors.length > 0;
  const { unique, raw, duplicates } = refused ? { unique: [], raw: [], duplicates: 0 } : dedupeById(batch);
  const inserted = new Set(await insertEvents(db, unique, { raw }));
  const fresh = unique.filter((e) => inserted.has(e.id));
  return {
    stored: {
      valid: batch.items.length,
      accepted: fresh.length,
      duplicates: duplicates + unique.length - fresh.length,
      rejected: batch.errors.length,
      errors: batch.errors,
    },
    decoded,
    batch,
    unique,
    fresh,
  };
}

/**
 * The bookkeeping after a body was stored, on the thread that serves the API: rejected lines
 * counted, metrics, and the refusal of a body with nothing valid (after counting its rejects).
 */
export function finishStored(
  deps: { live: LiveDetection; metrics: ServeMetrics },
  route: string,
  stored: StoredEvents,
  opts: EventBodyOptions,
): StoredEvents {
  if (opts.refuseEmpty && stored.valid === 0 && stored.rejected > 0) {
    deps.metrics.ingested(route, { rejected: stored.rejected });
    refuseIfNothingValid(stored.valid, stored.errors);
  }
  deps.live.countRejected(stored.rejected);
  deps.metrics.ingested(route, {
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejected: stored.rejected,
  });
  return stored;
}

/** A body with rejected lines and no valid record is refused whole (400), naming the first reason. */
export function refuseIfNothingValid(valid: number, errors: LineError[]): void {
  if (valid > 0 || errors.length === 0) return;
  throw new UserError(
    'INVALID_INPUT',
    `No valid record in the body (${errors.length} rejected; first: ${errors[0]?.message ?? ''}). Nothing was stored.`,
    { rejected: errors.length, errors: errors.slice(0, MAX_ERRORS_LISTED) },
  );
}

/**
 * Ingest on the thread that serves the API: where no ingest thread can run (sources under test, an
 * in-memory SQLite store) and with `--nats`, whose stream gets every valid event and rejected line.
 */
export class InProcessIngest implements EventIngest {
  readonly state = 'in-process';

  constructor(
    private readonly deps: {
      db: CoreDb;
      live: LiveDetection;
      metrics: ServeMetrics;
      sink?: EventSink | undefined;
      maxDecodedBytes: number;
    },
  ) {}

  async events(route: string, body: Buffer, opts: EventBodyOptions): Promise<StoredEvents> {
    const r = await storeEventBody(this.deps.db, body, opts, this.deps.maxDecodedBytes);
    if (!(opts.refuseEmpty && r.stored.valid === 0 && r.stored.rejected > 0)) {
      // Scale-out: every valid event, re-sent ones too (a retry after a failed publish must
      // reach the stream); stream and workers de-duplicate by id.
      await this.deps.sink?.write(r.unique);
      // Scale-out: the workers count rejected lines, as batch analyze counts bad input lines.
      await this.deps.sink?.writeRejected?.(rejectedRecords(route, r.decoded, r.batch));
      this.deps.live.addEvents(r.fresh);
    }
    return finishStored(this.deps, route, r.stored, opts);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
