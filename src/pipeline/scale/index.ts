/** Scale-out: events over NATS JetStream partitions, per-partition workers, state and findings in PostgreSQL. */
export { DEFAULT_TOPOLOGY, partitionOf, subjectOf, consumerOf, type ScaleTopology } from './config.js';
export {
  connectNats,
  ensureStream,
  deleteStream,
  DEFAULT_MAX_ACK_PENDING,
  type StreamOptions,
} from './stream.js';
export { NatsEventSink, ScalePublisher, type PublishCounts } from './publish.js';
export { ScaleWorker, type ScaleWorkerOptions, type WorkerStats } from './worker.js';
export { scoreScale, scoreScaleDetail, loadScaleEngine, type ScoreOptions } from './scorer.js';
