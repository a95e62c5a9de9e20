import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import type { AccountRecord, ApiEvent, QuarantineRecord } from '../contracts/index.js';

/** Why the sink refused one event of a batch (its index in the batch, the reason code, a message). */
export interface SinkRejection {
  index: number;
  reason: string;
  message: string;
}

/** What a sink says about a batch it took: the events in it that it refused for good. */
export interface SinkResult {
  rejected: SinkRejection[];
}

/**
 * Where events go: the one interface of every destination, whoever produces the events (the
 * gateway's recorder, the server's ingest routes, the demo's shipper). Implementations: a local
 * NDJSON file (NdjsonFileSink), a DistillGuard server over HTTP (HttpEventSink), the scale-out
 * stream (NatsEventSink in scale/scale-publisher.ts) and code in the same process (CallbackSink).
 *
 * `write` resolves once the destination has the batch and rejects when it did not arrive (the
 * caller may spool and re-send it: every destination is idempotent by event id). `ndjson` is the
 * same batch already serialised (one line per event, in order) when the caller has it, e.g. the
 * recorder makes each line as the event is recorded and the batch's bytes in memory it reuses. A
 * Buffer `ndjson` is the caller's again once the promise settles: a sink must not keep it (or a
 * view of it) beyond that. A sink that took the batch but refused some of its events for good
 * says which.
 *
 * Account records and lines the producer's own validation rejected go where the destination can
 * carry them (`writeAccounts`, `writeRejected`); a sink without them has no place for such records.
 */
export interface EventSink {
  write(events: readonly ApiEvent[], ndjson?: string | Buffer): Promise<void | SinkResult>;
  writeAccounts?(records: readonly AccountRecord[]): Promise<void>;
  /** Lines the producer rejected: the scale-out workers quarantine them and count them in rejected_lines. */
  writeRejected?(records: readonly QuarantineRecord[]): Promise<void>;
  close?(): Promise<void>;
}

/** The NDJSON body of a batch: one line per record, each ending in a newline. */
export const ndjsonOf = (records: readonly unknown[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');

/**
 * The sink will never accept this batch as it is (e.g. the server says every line is invalid):
 * retrying cannot help, so the recorder sets it aside for a person instead of spooling it.
 * `rejections` gives per-event reasons where the sink knows them.
 */
export class SinkRejectedBatch extends Error {
  constructor(
    message: string,
    readonly rejections: SinkRejection[] = [],
  ) {
    super(message);
  }
}

/**
 * Statuses that say nothing about the batch's content, so the batch is spooled and sent again:
 * the server is down or overloaded (5xx, 408, 429) or the gateway is misconfigured (401, 403,
 * 404, 407: a wrong key or URL, fixed by the operator, after which the spool drains by itself).
 * Any other 4xx (400, 413, 415, 422, ...) refuses the content: retrying cannot help.
 */
const RETRYABLE_4XX = new Set([401, 403, 404, 407, 408, 429]);

interface LineError {
  line?: unknown;
  reason?: unknown;
  message?: unknown;
}

/** The server's per-line errors (`line` is 1-based in the NDJSON body) as per-event rejections. */
function rejectionsOf(errors: unknown, count: number): SinkRejection[] {
  if (!Array.isArray(errors)) return [];
  const out: SinkRejection[] = [];
  const seen = new Set<number>();
  for (const e of errors as LineError[]) {
    const index = typeof e?.line === 'number' ? e.line - 1 : -1;
    if (!Number.isInteger(index) || index < 0 || index >= count || seen.has(index)) continue;
    seen.add(index);
    out.push({
      index,
      reason: typeof e.reason === 'string' ? e.reason.slice(0, 100) : 'rejected',
      message: typeof e.message === 'string' ? e.message.slice(0, 1000) : '',
    });
  }
  return out;
}

const parseJson = (text: string): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

export interface HttpEventSinkOptions {
  /** Per-request time limit for the answer's headers and body (default 5 s). */
  timeoutMs?: number;
  /** Send bodies gzip-compressed (`Content-Encoding: gzip`), as a log shipper over a WAN would. */
  gzip?: boolean;
}

/**
 * Batches to a DistillGuard server: `POST /v1/events` (and `/v1/accounts`) as NDJSON with an
 * ingest key.
 */
export class HttpEventSink implements EventSink {
  /** Lines the server rejected as invalid (set aside by the recorder, and in the server's quarantine). */
  rejected = 0;
  private readonly timeoutMs: number;
  private readonly gzip: boolean;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    opts: HttpEventSinkOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.gzip = opts.gzip ?? false;
  }

  async write(events: readonly ApiEvent[], ndjson?: string | Buffer): Promise<void | SinkResult> {
    return this.post('/v1/events', ndjson ?? ndjsonOf(events), events.length);
  }

  /** Account records; the server refuses invalid ones as it does events (SinkRejectedBatch). */
  async writeAccounts(records: readonly AccountRecord[]): Promise<void> {
    const result = await this.post('/v1/accounts', ndjsonOf(records), records.length);
    if (result)
      throw new SinkRejectedBatch(
        `POST /v1/accounts: the server rejected ${result.rejected.length} account records`,
        result.rejected,
      );
  }

  private async post(route: string, ndjson: string | Buffer, count: number): Promise<void | SinkResult> {
    const res = await request(`${this.baseUrl.replace(/\/+$/, '')}${route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: this.gzip ? gzipSync(ndjson) : ndjson,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    const body = parseJson(text);
    const status = res.statusCode;
    if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) {
      const err = body?.error as
        { code?: unknown; message?: unknown; details?: { errors?: unknown } } | undefined;
      const message = `POST ${route}: HTTP ${status} ${typeof err?.message === 'string' ? err.message.slice(0, 500) : text.slice(0, 200)}`;
      this.rejected += count;
      throw new SinkRejectedBatch(message, rejectionsOf(err?.details?.errors, count));
    }
    if (status >= 300) throw new Error(`POST ${route}: HTTP ${status} ${text.slice(0, 200)}`);
    // A 2xx without a JSON body still means the batch arrived.
    const rejectedCount = typeof body?.rejected === 'number' ? body.rejected : 0;
    if (rejectedCount <= 0) return;
    this.rejected += rejectedCount;
    const rejected = rejectionsOf(body?.errors, count);
    if (rejected.length < rejectedCount)
      // The server refused lines it did not list: the batch cannot be split safely, so all of it is
      // set aside (re-ingesting the accepted ones later is a no-op: ingest is idempotent by id).
      throw new SinkRejectedBatch(
        `POST ${route}: the server rejected ${rejectedCount} lines but listed ${rejected.length}`,
      );
    return { rejected };
  }
}

/** Appends events to a local NDJSON file, e.g. for `distillguard analyze` later. */
export class NdjsonFileSink implements EventSink {
  private readonly out: WriteStream;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  write(events: readonly ApiEvent[], ndjson?: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.write(ndjson ?? ndjsonOf(events), (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/** Hands events to code in the same process, e.g. `engine.addEvent` of the detection pipeline. */
export class CallbackSink implements EventSink {
  constructor(private readonly onEvents: (events: readonly ApiEvent[]) => void | Promise<void>) {}

  async write(events: readonly ApiEvent[]): Promise<void> {
    await this.onEvents(events);
  }
}
