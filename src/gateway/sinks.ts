import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { request } from 'undici';
import type { ApiEvent } from '../schema/index.js';

/**
 * Where recorded exchanges go. `write` rejects when the batch did not arrive; the recorder spools
 * it. `ndjson` is the same batch already serialised (one line per event, in order), made as each
 * event was recorded so no flush pays for a whole batch at once.
 */
export interface EventSink {
  write(events: ApiEvent[], ndjson: string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The sink will never accept this batch as it is (e.g. the server says every line is invalid):
 * retrying cannot help, so the recorder sets it aside for a person instead of spooling it.
 */
export class SinkRejectedBatch extends Error {}

/** Batches to a DistillGuard server: `POST /v1/events` as NDJSON with an ingest key. */
export class HttpEventSink implements EventSink {
  /** Lines the server rejected as invalid (they are in its quarantine, not lost). */
  rejected = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 5000,
  ) {}

  async write(_events: ApiEvent[], ndjson: string): Promise<void> {
    const res = await request(`${this.baseUrl.replace(/\/+$/, '')}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: ndjson,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300)
      throw new Error(`POST /v1/events: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    try {
      const body = JSON.parse(text) as { rejected?: unknown };
      if (typeof body.rejected === 'number') this.rejected += body.rejected;
    } catch {
      // A 2xx without a JSON body still means the batch arrived.
    }
  }
}

/** Appends events to a local NDJSON file, e.g. for `distillguard analyze` later. */
export class NdjsonFileSink implements EventSink {
  private readonly out: WriteStream;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  write(_events: ApiEvent[], ndjson: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.write(ndjson, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/** Hands events to code in the same process, e.g. `engine.addEvent` of the detection pipeline. */
export class CallbackSink implements EventSink {
  constructor(private readonly onEvents: (events: ApiEvent[]) => void | Promise<void>) {}

  async write(events: ApiEvent[]): Promise<void> {
    await this.onEvents(events);
  }
}
