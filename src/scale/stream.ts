import {
  AckPolicy,
  connect,
  DeliverPolicy,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { UserError } from '../schema/index.js';
import { consumerOf, subjectOf, type ScaleTopology } from './config.js';

export const jsonCodec = JSONCodec<unknown>();

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
}

export const DEFAULT_MAX_ACK_PENDING = 1000;

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
  const config = {
    name: t.stream,
    subjects: [`${t.subjectPrefix}.*`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: (opts.duplicateWindowMs ?? 2 * 3600_000) * 1_000_000,
  };
  try {
    await jsm.streams.info(t.stream);
    await jsm.streams.update(t.stream, config);
  } catch {
    await jsm.streams.add(config);
  }
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
  return jsm;
}

/** Deletes the stream and its consumers (tests, or a deliberate reset). */
export async function deleteStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(stream).catch(() => undefined);
}
