export { DetectionEngine } from './detection-engine.js';
export type { PartitionState } from './detection-engine.js';
export type { AnalysisDetail } from './assembly.js';
export { evaluateFindings, formatEvaluation } from './evaluation.js';
export type { Evaluation } from './evaluation.js';
export { LINK_TYPES } from './switched-off.js';
