export { scaleMigrations } from './migrations.js';
export type * from './tables.js';
export {
  openScaleStore,
  ensurePartitionRows,
  bindScaleTopology,
  heartbeatWorker,
  removeWorker,
  renewLeases,
  claimPartitions,
  claimablePartitions,
  releasePartition,
  loadPartitionStates,
  allAccountStates,
  commitPartitionBatch,
  renewPartitionLease,
  pruneSeenEvents,
  countSeenEvents,
  listQuarantined,
  countQuarantined,
  scaleProgress,
  withScoringLock,
  LeaseLostError,
  saveScaleFindings,
} from './scaleStore.js';
export type {
  ScaleDb,
  PartitionLease,
  LeaseHolder,
  BoundTopology,
  PartitionBatch,
  ScaleProgress,
  QuarantinedMessage,
} from './scaleStore.js';
