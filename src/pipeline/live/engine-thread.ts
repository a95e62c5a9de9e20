// Worker-thread entry: owns the DetectionEngine so scoring never blocks the HTTP event loop
// (enforcement reads and ingest keep being answered while findings are re-scored).
import { parentPort, workerData } from 'node:worker_threads';
import { DetectConfig } from '../../contracts/index.js';
import { DetectionEngine } from '../../findings/index.js';
import type { UnusableRecord } from './findings-engine.js';
import type { EngineRequest, EngineReply } from './engine-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
// Validated again: the thread boundary is an edge like any other.
const engine = new DetectionEngine(
  DetectConfig.parse((workerData as { config?: unknown } | null)?.config ?? {}),
);

const messageOf = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

port.on('message', (msg: EngineRequest) => {
  switch (msg.type) {
    case 'events': {
      // One event the engine throws on is skipped and reported; the batch is always acknowledged,
      // so its in-flight slot in the main thread is released whatever happens here.
      const unusable: UnusableRecord[] = [];
      try {
        for (const e of msg.events) {
          try {
            engine.addEvent(e);
          } catch (err) {
            unusable.push({ kind: 'event', id: String(e?.id), message: messageOf(err) });
          }
        }
      } finally {
        port.postMessage({ type: 'ack', id: msg.id, unusable } satisfies EngineReply);
      }
      break;
    }
    case 'accounts': {
      const unusable: UnusableRecord[] = [];
      for (const r of msg.records) {
        try {
          engine.addAccount(r);
        } catch (err) {
          unusable.push({ kind: 'account', id: String(r?.account_id), message: messageOf(err) });
        }
      }
      if (unusable.length > 0) port.postMessage({ type: 'unusable', unusable } satisfies EngineReply);
      break;
    }
    case 'benign':
      for (const id of msg.accountIds) engine.addBenignReference(id);
      break;
    case 'analyze': {
      let reply: EngineReply;
      try {
        const d = engine.analyze({ rejectedLines: msg.rejectedLines });
        reply = { type: 'result', id: msg.id, findings: d.findings, edges: d.edges };
      } catch (err) {
        reply = { type: 'error', id: msg.id, message: (err as Error).message };
      }
      port.postMessage(reply);
      break;
    }
  }
});
