// Worker-thread entry: owns the DetectionEngine so scoring never blocks the HTTP event loop
// (enforcement reads and ingest keep being answered while findings are re-scored).
import { parentPort } from 'node:worker_threads';
import { DetectionEngine } from '../detect/index.js';
import type { EngineRequest, EngineReply } from './workerProtocol.js';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
const engine = new DetectionEngine();

port.on('message', (msg: EngineRequest) => {
  switch (msg.type) {
    case 'events':
      for (const e of msg.events) engine.addEvent(e);
      port.postMessage({ type: 'ack', id: msg.id } satisfies EngineReply);
      break;
    case 'accounts':
      for (const r of msg.records) engine.addAccount(r);
      break;
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
