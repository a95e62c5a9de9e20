// Worker-thread entry of the batch driver: owns one partition's DetectionEngine. The reading
// thread sends it raw NDJSON lines of its accounts; it parses, validates, de-duplicates and adds
// them (the expensive per-event work), and hands its state back as JSON at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { DetectionEngine } from '../findings/index.js';
import { PartitionLineProcessor } from '../ingest/index.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './analyze-threads.js';

const port = parentPort;
if (!port) throw new Error('analyze-worker must run in a worker thread');
const data = workerData as WorkerData;
const engine = new DetectionEngine(data.config);
const lines = new PartitionLineProcessor(data.ingest);
const addEvent = engine.addEvent.bind(engine);
const addLine = engine.addLine.bind(engine);

port.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply | null = null;
  try {
    switch (msg.type) {
      case 'accounts':
        for (const r of msg.records) engine.addAccount(r);
        break;
      case 'batch':
        reply = { type: 'batch', result: lines.process(msg.batch, addEvent, addLine) };
        break;
      case 'has':
        reply = { type: 'has', has: lines.hasId(msg.id) };
        break;
      case 'export':
        reply = { type: 'state', state: engine.exportPartition() };
        break;
    }
  } catch (err) {
    reply = { type: 'error', message: (err as Error).stack ?? String(err) };
  }
  if (reply?.type === 'state') port.postMessage(reply, [reply.state.kernels.buffer as ArrayBuffer]);
  else if (reply) port.postMessage(reply);
});
