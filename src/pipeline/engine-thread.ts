// Worker-thread entry of every engine thread (batch partitions and the server's live engine):
// owns one DetectionEngine, so the expensive per-event work and scoring run beside the reading
// thread and never block the HTTP event loop. The protocol: engine-thread-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { EngineThreadHost } from './engine-thread-host.js';
import type { EngineRequest, EngineThreadData } from './engine-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('engine-thread must run in a worker thread');
const host = new EngineThreadHost((workerData ?? {}) as EngineThreadData, (reply, transfer) =>
  port.postMessage(reply, transfer),
);
port.on('message', (msg: EngineRequest) => host.handle(msg));
