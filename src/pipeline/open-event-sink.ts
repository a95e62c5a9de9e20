import { HttpEventSink, NdjsonFileSink, type EventSink } from './event-sinks.js';
import { DEFAULT_TOPOLOGY, type ScaleTopology } from './scale/topology.js';
import { NatsEventSink } from './scale/scale-publisher.js';

/** Where a producer's events go, as its flags say; the first one given wins. */
export interface EventSinkTarget {
  /** The scale-out stream (NATS JetStream URL) and its topology (default DEFAULT_TOPOLOGY). */
  nats?: string | undefined;
  natsTopology?: ScaleTopology | undefined;
  /** A DistillGuard server (`POST /v1/events`) and its ingest key. */
  server?: string | undefined;
  serverKey?: string | undefined;
  /** A local NDJSON file, appended to. */
  eventsOut?: string | undefined;
}

/** Opens the sink the target names (connecting to NATS first), or null when it names none. */
export async function openEventSink(t: EventSinkTarget): Promise<EventSink | null> {
  if (t.nats) return NatsEventSink.connect(t.nats, t.natsTopology ?? DEFAULT_TOPOLOGY);
  if (t.server) return new HttpEventSink(t.server, t.serverKey);
  if (t.eventsOut) return new NdjsonFileSink(t.eventsOut);
  return null;
}
