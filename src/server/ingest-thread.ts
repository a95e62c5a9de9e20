// Worker-thread entry of serve's ingest thread: reads, validates and stores bodies of events on a
// connection of its own and hands new events to the engine's thread directly, so the thread that
// answers decision lookups never holds a batch. The protocol: ingest-thread-protocol.ts.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isUserError, setWorkSliceBudget, type ApiEvent } from '../contracts/index.js';
import type { EventPortMessage, HandedOff, UnusableRecord } from '../pipeline/index.js';
import { openDatabase, type CoreDatabase } from '../store/index.js';
import { storeEventBody } from './event-ingest.js';
import type { IngestReply, IngestRequest, IngestThreadData, WireError } from './ingest-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('ingest-thread must run in a worker thread');
const data = workerData as IngestThreadData;
// Nothing on this thread waits for a turn of its loop: a batch is parsed and stored in one go.
setWorkSliceBudget(Infinity);
const db = openDatabase<CoreDatabase>(data.database);
const engine = data.enginePort;
let inFlight = 0;
let closing: (() => void) | null = null;

port.on('message', (m: IngestRequest | { type: 'close' }) => {
  if (m.type === 'close') return void close();
  inFlight++;
  void handle(m).finally(() => {
    if (--inFlight === 0) closing?.();
  });
});

async function handle(m: IngestRequest): Promise<void> {
  let reply: IngestReply;
  try {
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    const r = await storeEventBody(db, body, m, data.maxDecodedBytes);
    reply =
      m.handOff === 'engine' && engine
        ? { type: 'stored', id: m.id, stored: r.stored, handed: handOff(engine, r.fresh) }
        : { type: 'stored', id: m.id, stored: r.stored, fresh: r.fresh };
  } catch (err) {
    reply = { type: 'failed', id: m.id, error: wireError(err) };
  }
  port!.postMessage(reply);
}

/**
 * Posts new events to the engine's thread. An event the structured clone refuses (nested too deep
 * for its stack) is left out and reported, so it is quarantined rather than costing the rest.
 */
function handOff(enginePort: MessagePort, events: ApiEvent[]): HandedOff {
  const unusable: UnusableRecord[] = [];
  let handed: ApiEvent[] = events;
  const post = (chunk: ApiEvent[]): string | null => {
    try {
      enginePort.postMessage({ type: 'events', events: chunk } satisfies EventPortMessage);
      return null;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  };
  if (events.length > 0 && post(events) !== null) {
    handed = [];
    for (const e of events) {
      const err = post([e]);
      if (err === null) handed.push(e);
      else unusable.push({ kind: 'event', id: e.id, message: err });
    }
  }
  let from: string | null = null;
  let to: string | null = null;
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const e of handed) {
    const ms = Date.parse(e.ts);
    if (ms < fromMs) {
      fromMs = ms;
      from = e.ts;
    }
    if (ms > toMs) {
      toMs = ms;
      to = e.ts;
    }
  }
  return { events: handed.length, from, to, unusable };
}

function wireError(err: unknown): WireError {
  if (isUserError(err))
    return { name: err.name, message: err.message, userCode: err.code, details: err.details };
  const e = err instanceof Error ? err : new Error(String(err));
  const { statusCode, code } = e as { statusCode?: unknown; code?: unknown };
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** Finishes the batches in hand, closes the connection, and lets the thread end. */
async function close(): Promise<void> {
  if (inFlight > 0) await new Promise<void>((r) => (closing = r));
  await db.destroy();
  engine?.close();
  port!.close();
}
