import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamManager,
  type NatsConnection,
  type StreamInfo,
} from 'nats';
import { UserError } from '../../contracts/index.js';
import { consumerOf, subjectOf, type ScaleTopology } from './topology.js';

export interface StreamOptions {
  /** How long JetStream remembers a message id to drop a re-publication (ms). Default 2 h. */
  duplicateWindowMs?: number;
  /** Unacknowledged delivery is redelivered after this long (ms): the fail-over delay. Default 30 s. */
  ackWaitMs?: number;
  /**
   * Most unacknowledged messages per partition consumer. Workers fetch at most this many at a
   * time, so after a crash the unacknowledged batch is redelivered before anything newer:
   * per-account event order survives fail-over.
   */
  maxAckPending?: number;
  /**
   * Most messages the stream holds. Work-queue retention deletes a message once acknowledged, so
   * this bounds the backlog; at the limit publishes are refused (discard new), never an
   * unprocessed message dropped. Undefined: the default for a new stream, unchanged otherwise.
   */
  maxMessages?: number;
  /** Told when the stream cannot be bounded (an old stream with limits retention). */
  onWarning?: (message: string) => void;
}

export const DEFAULT_MAX_ACK_PENDING = 1000;
/** About 13 GB of backlog at ~1.3 KB an event: hours of a busy gateway with every worker down. */
export const DEFAULT_STREAM_MAX_MESSAGES = 10_000_000;

/** Connects to NATS, retrying forever once connected (reconnects are the client's job). */
export async function connectNats(
  url: string,
  opts: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const servers = url.replace(/^nats:\/\//, '');
  try {
    return await connect({
      servers,
      name: 'distillguard',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...opts,
    });
  } catch (err) {
    throw new UserError(
      'SERVICE_UNAVAILABLE',
      `Cannot reach NATS at ${url}: ${(err as Error).message}. Start nats-server with JetStream (-js).`,
    );
  }
}

/** Creates (or updates) the events stream and one durable pull consumer per partition. */
export async function ensureStream(
  nc: NatsConnection,
  t: ScaleTopology,
  opts: StreamOptions = {},
): Promise<JetStreamManager> {
  let jsm: JetStreamManager;
  try {
    jsm = await nc.jetstreamManager();
  } catch (err) {
    throw new UserError(
      'SERVICE_UNAVAILABLE',
      `NATS answers but JetStream is not enabled (${(err as Error).message}); run nats-server -js.`,
    );
  }
  const description = `${TOPOLOGY_TAG}${t.partitions}`;
  const existing = await jsm.streams.info(t.stream).catch(() => null);
  if (existing) await updateStream(jsm, t, existing, description, opts);
  else await createStream(jsm, t, description, opts);
  await ensureConsumers(jsm, t, opts);
  return jsm;
}

/**
 * Checks an existing stream's topology, warns when it predates work-queue retention, and records
 * the partition count, duplicate window and message bound where they differ.
 */
async function updateStream(
  jsm: JetStreamManager,
  t: ScaleTopology,
  existing: StreamInfo,
  description: string,
  opts: StreamOptions,
): Promise<void> {
  await checkTopology(jsm, t, existing.config.subjects ?? [], existing.config.description);
  const window = opts.duplicateWindowMs === undefined ? undefined : opts.duplicateWindowMs * 1_000_000;
  const workQueue = existing.config.retention === RetentionPolicy.Workqueue;
  // The retention of a stream cannot change: a limits stream stays unbounded until replaced.
  if (!workQueue)
    opts.onWarning?.(
      `stream ${t.stream} has ${existing.config.retention} retention (made before work-queue retention): it keeps every message and grows without bound; move to a new stream and database (docs/scale-out.md, "Retention")`,
    );
  const maxMsgs =
    workQueue && opts.maxMessages !== undefined && opts.maxMessages !== existing.config.max_msgs
      ? opts.maxMessages
      : undefined;
  // Streams made before the partition count was recorded learn it now (it was just checked).
  if (
    existing.config.description !== description ||
    (window && window !== existing.config.duplicate_window) ||
    maxMsgs !== undefined
  )
    await jsm.streams.update(t.stream, {
      ...existing.config,
      description,
      ...(window ? { duplicate_window: window } : {}),
      ...(maxMsgs !== undefined ? { max_msgs: maxMsgs, discard: DiscardPolicy.New } : {}),
    });
}

/** Creates the work-queue stream; subjects owned by another stream are a configuration error. */
async function createStream(
  jsm: JetStreamManager,
  t: ScaleTopology,
  description: string,
  opts: StreamOptions,
): Promise<void> {
  const subjects = [`${t.subjectPrefix}.*`];
  try {
    await jsm.streams.add({
      name: t.stream,
      subjects,
      description,
      // One consumer per partition, each on its own subject: every message has exactly one
      // consumer, which acknowledges it only after its commit. Work-queue retention deletes it
      // then, so the stream holds the backlog only. A message count, not bytes, bounds it:
      // nats-server 2.9 checks a byte limit without the per-message overhead and then makes
      // room by dropping the oldest (unprocessed) message, even under discard new.
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_msgs: opts.maxMessages ?? DEFAULT_STREAM_MAX_MESSAGES,
      storage: StorageType.File,
      duplicate_window: (opts.duplicateWindowMs ?? 2 * 3600_000) * 1_000_000,
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/overlap/i.test(message))
      throw new UserError(
        'INVALID_CONFIG',
        `subjects ${subjects[0]} already belong to another stream than ${t.stream}: every publisher and worker must use the same --stream and --subject-prefix`,
      );
    throw err;
  }
}

/** Adds the durable pull consumer of each partition that does not have one yet. */
async function ensureConsumers(jsm: JetStreamManager, t: ScaleTopology, opts: StreamOptions): Promise<void> {
  for (let p = 0; p < t.partitions; p++) {
    const name = consumerOf(t, p);
    const consumer = {
      durable_name: name,
      filter_subject: subjectOf(t, p),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (opts.ackWaitMs ?? 30_000) * 1_000_000,
      max_ack_pending: opts.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(t.stream, name);
    } catch {
      await jsm.consumers.add(t.stream, consumer);
    }
  }
}

/** The stream's description records its partition count: `distillguard partitions=N`. */
const TOPOLOGY_TAG = 'distillguard partitions=';

/**
 * Refuses a publisher or worker whose topology differs from the stream's: another partition
 * count would put an account's events on another subject than its state, another subject prefix
 * would publish where no consumer reads (and used to rewrite the stream's subjects).
 */
async function checkTopology(
  jsm: JetStreamManager,
  t: ScaleTopology,
  subjects: string[],
  description: string | undefined,
): Promise<void> {
  const expected = `${t.subjectPrefix}.*`;
  if (subjects.length !== 1 || subjects[0] !== expected)
    throw new UserError(
      'INVALID_CONFIG',
      `stream ${t.stream} carries subjects ${subjects.join(', ')}, not ${expected}: every publisher and worker must use the stream's --subject-prefix`,
    );
  let partitions: number | null = null;
  if (description?.startsWith(TOPOLOGY_TAG)) partitions = Number(description.slice(TOPOLOGY_TAG.length));
  else {
    // A stream from before the count was recorded: its durable consumers are named per partition.
    const names: string[] = [];
    for await (const c of jsm.consumers.list(t.stream)) names.push(c.name);
    const own = names.flatMap((n) =>
      n.startsWith(`${t.stream}_p`) ? [Number(n.slice(t.stream.length + 2))] : [],
    );
    if (own.length > 0) partitions = Math.max(...own) + 1;
  }
  if (partitions !== null && partitions !== t.partitions)
    throw new UserError(
      'INVALID_CONFIG',
      `stream ${t.stream} has ${partitions} partitions, not ${t.partitions}: every publisher and worker must use --partitions ${partitions} (the count is fixed for the life of a stream)`,
    );
}

/** Deletes the stream and its consumers (tests, or a deliberate reset). */
export async function deleteStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(stream).catch(() => undefined);
}
