export { analyzeFiles } from './analyze-files.js';
export { CallbackSink, HttpEventSink, NdjsonFileSink, SinkRejectedBatch, ndjsonOf } from './event-sinks.js';
export type { EventSink, SinkResult } from './event-sinks.js';
export { openEventSink } from './open-event-sink.js';
export { WorkerEngine } from './live/engine-thread-client.js';
export { engineThreadAvailable } from './engine-thread-protocol.js';
export type { EventPortMessage } from './engine-thread-protocol.js';
export type {
  EngineFactory,
  EngineResult,
  FindingsEngine,
  LinkEdge,
  UnusableRecord,
} from './live/findings-engine.js';
export { LiveDetection } from './live/live-detection.js';
export type { HandedOff } from './live/live-detection.js';
export { DEFAULT_TOPOLOGY, consumerOf, partitionOf, subjectOf } from './scale/config.js';
export type { ScaleTopology } from './scale/config.js';
export { NatsEventSink, ScalePublisher } from './scale/publish.js';
export type { PublisherOptions } from './scale/publish.js';
export { encodeAccountState, restoreStoredAccount } from './scale/account-state-codec.js';
export { decodeMessage, ScannedEvents } from './scale/quarantine.js';
export { scoreScale, scoreScaleDetail, ScoringStates } from './scale/scorer.js';
export { connectNats, DEFAULT_STREAM_MAX_MESSAGES, deleteStream, ensureStream } from './scale/stream.js';
export type { StreamOptions } from './scale/stream.js';
export { ScaleWorker } from './scale/worker.js';
export { checkBatch } from './scale/contiguity.js';
export type { AckState, BatchCheck } from './scale/contiguity.js';
export { PartitionPuller } from './scale/puller.js';
export { serveWorkerMetrics, WorkerMetrics } from './scale/metrics.js';
export {
  CounterVec,
  Exposition,
  Histogram,
  HistogramVec,
  labelText,
  processFamilies,
} from './metrics-exposition.js';
export type { Labels } from './metrics-exposition.js';
export { serveMetrics } from './metrics-listener.js';
export type { HealthReport, MetricsEndpoints, MetricsServer } from './metrics-listener.js';
export type { ScaleWorkerOptions } from './scale/worker.js';
