import type { JetStreamClient, NatsConnection, NatsError, PubAck } from 'nats';
import { UserError } from '../../contracts/index.js';
import type { QuarantineSink } from '../../ingest/index.js';
import type { AccountRecord, ApiEvent, QuarantineRecord, ScaleMessage } from '../../contracts/index.js';
import { fingerprint64 } from '../../text/index.js';
import { partitionOf, rejectedKey, rejectedLineId, subjectOf, type ScaleTopology } from './topology.js';
import { connectNats, ensureStream } from './stream.js';
import { RatePacer } from './pacer.js';
import type { EventSink } from '../event-sinks.js';

export interface PublishCounts {
  /** Messages the stream stored. */
  published: number;
  /** Messages the stream dropped as re-publications of an id it already has (within its window). */
  duplicates: number;
}

const encoder = new TextEncoder();

/** JetStream's "maximum messages/bytes exceeded" refusals of a stream at its limit (discard new). */
const STREAM_FULL_ERRORS = new Set([10077, 10047, 10078]);
const isStreamFull = (err: unknown): boolean =>
  STREAM_FULL_ERRORS.has((err as NatsError | null)?.api_error?.err_code ?? 0);

export interface PublisherOptions {
  /** Most publishes awaiting their PubAck at a time. Default 512. */
  window?: number;
  /** How long one publish is retried (timeouts, reconnects). Default 30 s. */
  timeoutMs?: number;
  /** How long a publish waits for room in a full stream before failing with STREAM_FULL. Default 2 min. */
  fullWaitMs?: number;
  /** Told once per full episode, when the stream first refuses a publish for lack of room. */
  onFull?: () => void;
  /** Publish at most this many events per second (account records and rejected lines are not paced). */
  eventsPerSecond?: number;
}

/** When a publisher sent its first message and when the stream stored its last one (epoch ms; null before). */
export interface PublishTimes {
  firstSentAt: number | null;
  lastStoredAt: number | null;
}

/**
 * Publishes events and account records to the partitioned stream. Each message carries a
 * JetStream message id (`e:<event id>`), so a re-sent event inside the duplicate window is
 * stored once; workers also de-duplicate by event id for anything older. Flow control: at most
 * `window` publishes await their PubAck at a time, so a slow stream pushes back on the caller.
 */
export class ScalePublisher {
  private readonly js: JetStreamClient;
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | null = null;
  readonly counts: PublishCounts = { published: 0, duplicates: 0 };
  readonly times: PublishTimes = { firstSentAt: null, lastStoredAt: null };
  private readonly pacer: RatePacer | null;

  private readonly window: number;
  private readonly timeoutMs: number;
  private readonly fullWaitMs: number;
  /** Since when publishes are refused for lack of room (null: not full). */
  private fullSince: number | null = null;

  constructor(
    nc: NatsConnection,
    private readonly topology: ScaleTopology,
    private readonly opts: PublisherOptions = {},
  ) {
    this.js = nc.jetstream();
    this.window = opts.window ?? 512;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fullWaitMs = opts.fullWaitMs ?? 120_000;
    this.pacer = opts.eventsPerSecond === undefined ? null : new RatePacer(opts.eventsPerSecond);
  }

  async publishEvents(events: Iterable<ApiEvent>): Promise<void> {
    for (const event of events) {
      if (this.pacer) await this.pacer.next();
      await this.send(event.account_id, { kind: 'event', event }, `e:${event.id}`);
    }
  }

  async publishAccounts(records: Iterable<AccountRecord>): Promise<void> {
    for (const record of records) {
      const body = JSON.stringify(record);
      await this.send(
        record.account_id,
        { kind: 'account', record },
        `a:${record.account_id}:${fingerprint64(body)}`,
      );
    }
  }

  /**
   * Forwards a line this publisher rejected, so the workers store it in their quarantine and
   * count it in the findings' `input.rejected_lines`. Its id is the line's place and content:
   * the stream drops a re-publication inside its duplicate window, the workers' quarantine
   * (keyed the same) any later one.
   */
  async publishRejected(record: QuarantineRecord): Promise<void> {
    await this.send(
      rejectedKey(record.file, record.line),
      { kind: 'rejected', record },
      `r:${rejectedLineId(record)}`,
    );
  }

  /**
   * `ingest --nats`'s quarantine: each rejected line goes to `local` and to the workers, so the
   * streamed findings count it as batch analyze would (`serve --nats` publishes its own through
   * its event sink's writeRejected).
   */
  forwardingQuarantine(local: QuarantineSink): QuarantineSink {
    return {
      write: async (record) => {
        await local.write(record);
        await this.publishRejected(record);
      },
      close: () => local.close(),
    };
  }

  /** Waits for every PubAck; throws the first publish failure. */
  async flush(): Promise<PublishCounts> {
    while (this.inflight.size > 0) await Promise.race(this.inflight);
    const failure = this.failure;
    // Reported once: the caller re-sends (ids make that safe) and the publisher carries on.
    this.failure = null;
    if (failure) throw failure;
    return { ...this.counts };
  }

  private async send(accountId: string, msg: ScaleMessage, msgID: string): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inflight.size >= this.window) await Promise.race(this.inflight);
    const subject = subjectOf(this.topology, partitionOf(accountId, this.topology.partitions));
    this.times.firstSentAt ??= Date.now();
    const p: Promise<void> = this.publishWithRetry(subject, encoder.encode(JSON.stringify(msg)), msgID)
      .then((ack) => {
        this.times.lastStoredAt = Date.now();
        if (ack.duplicate) this.counts.duplicates++;
        else this.counts.published++;
      })
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /**
   * A publish that times out (e.g. across a reconnect) is re-sent with the same id: safe by
   * de-duplication. One refused by a full stream waits for the workers to make room (back-pressure;
   * the stream never drops an unprocessed message for a new one), up to `fullWaitMs`.
   */
  private async publishWithRetry(subject: string, data: Uint8Array, msgID: string): Promise<PubAck> {
    let deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.js.publish(subject, data, { msgID, timeout: 5000 });
        this.fullSince = null;
        return ack;
      } catch (err) {
        if (isStreamFull(err)) {
          const now = Date.now();
          if (this.fullSince === null) {
            this.fullSince = now;
            this.opts.onFull?.();
          }
          if (now - this.fullSince > this.fullWaitMs)
            throw new UserError(
              'STREAM_FULL',
              `stream ${this.topology.stream} is full (${(err as NatsError).api_error?.description ?? 'at its limit'}) and no room was made in ${Math.round(this.fullWaitMs / 1000)} s: its workers are stopped or behind. Start or add workers (or raise --stream-max-messages), then publish again: re-sent events are dropped as duplicates`,
            );
          // Waiting for room is not a failure of this publish: its retry deadline starts again.
          deadline = now + this.timeoutMs;
          await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
          continue;
        }
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }
}

/**
 * The scale-out stream as an event sink (for the gateway and the server): each batch is published
 * to the partitioned stream and resolves once JetStream acknowledged every message (so a failed
 * batch can be spooled or retried and re-sent; message ids make the re-send safe).
 */
export class NatsEventSink implements EventSink {
  private readonly publisher: ScalePublisher;

  constructor(
    private readonly nc: NatsConnection,
    topology: ScaleTopology,
    private readonly ownsConnection = false,
  ) {
    this.publisher = new ScalePublisher(nc, topology, { window: 512, timeoutMs: 10_000, fullWaitMs: 10_000 });
  }

  /** Connects, makes sure the stream exists, and returns a sink that closes its connection. */
  static async connect(url: string, topology: ScaleTopology): Promise<NatsEventSink> {
    const nc = await connectNats(url);
    try {
      await ensureStream(nc, topology);
    } catch (err) {
      await nc.close();
      throw err;
    }
    return new NatsEventSink(nc, topology, true);
  }

  get counts(): PublishCounts {
    return { ...this.publisher.counts };
  }

  async write(events: readonly ApiEvent[]): Promise<void> {
    await this.publisher.publishEvents(events);
    await this.publisher.flush();
  }

  async writeAccounts(records: readonly AccountRecord[]): Promise<void> {
    await this.publisher.publishAccounts(records);
    await this.publisher.flush();
  }

  /** Lines the caller's own validation rejected, for the workers' quarantine and rejected_lines. */
  async writeRejected(records: readonly QuarantineRecord[]): Promise<void> {
    for (const r of records) await this.publisher.publishRejected(r);
    await this.publisher.flush();
  }

  async close(): Promise<void> {
    await this.publisher.flush().catch(() => undefined);
    if (this.ownsConnection) await this.nc.drain().catch(() => undefined);
  }
}
