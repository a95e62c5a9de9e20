export { DetectionEngine, type AnalysisDetail, type Calibration, type PartitionState } from './engine.js';
export { DETECTORS } from './detectors/index.js';
export type { Detector, DetectorFamily, Measurement, Stat } from './detector.js';
export { EntityStats, type PromptSample } from './entity-stats.js';
export { extractFeatures, messageText, ipPrefix, type EventFeatures } from './event-features.js';
export { LineFeatures } from './line-features.js';
export { asksForReasoningTrace } from './elicitation-phrases.js';
export {
  LINK_WEIGHTS,
  LINK_THRESHOLD,
  linkAccounts,
  accountAttributes,
  type LinkKind,
  type LinkageResult,
} from './linkage.js';
export { synchronisedPairs, type SyncLink } from './synchronised-activity.js';
export { fitNullModels, pValue } from './null-models.js';
export {
  evaluateFindings,
  formatEvaluation,
  DEFAULT_TARGETS,
  type Evaluation,
  type EvaluationTargets,
} from './evaluation.js';
