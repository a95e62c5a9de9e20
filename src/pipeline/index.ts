export { analyzeFiles } from './analyze-files.js';
export {
  CallbackSink,
  HttpEventSink,
  NdjsonFileSink,
  SinkRejectedBatch,
  ndjsonOf,
  type EventSink,
  type SinkResult,
} from './event-sinks.js';
export { openEventSink } from './open-event-sink.js';
export { WorkerEngine } from './live/engine-thread-client.js';
export { engineThreadAvailable, type EventPortMessage } from './engine-thread-protocol.js';
export type {
  EngineFactory,
  EngineResult,
  FindingsEngine,
  LinkEdge,
  UnusableRecord,
} from './live/findings-engine.js';
export { LiveDetection, type HandedOff } from './live/live-detection.js';
export { FindingsView } from './live/findings-view.js';
export { packEdges, unpackEdges, type PackedEdges } from './live/findings-delta.js';
export {
  DEFAULT_TOPOLOGY,
  consumerOf,
  partitionOf,
  subjectOf,
  type ScaleTopology,
} from './scale/topology.js';
export { NatsEventSink, ScalePublisher } from './scale/scale-publisher.js';
export { encodeAccountState, restoreStoredAccount } from './scale/account-state-codec.js';
export { decodeMessage, ScannedEvents } from './scale/quarantine.js';
export { scoreScale, scoreScaleDetail, ScoringStates } from './scale/scorer.js';
export {
  connectNats,
  DEFAULT_STREAM_MAX_MESSAGES,
  deleteStream,
  ensureStream,
  type StreamOptions,
} from './scale/stream.js';
export { ScaleWorker, type ScaleWorkerOptions } from './scale/worker.js';
export { checkBatch } from './scale/contiguity.js';
export { PartitionPuller } from './scale/puller.js';
export { serveWorkerMetrics, WorkerMetrics } from './scale/worker-metrics.js';
export { CounterVec, Exposition, Histogram, HistogramVec, processFamilies } from './metrics-exposition.js';
export { serveMetrics, type HealthReport, type MetricsServer } from './metrics-listener.js';
