export { DetectionEngine } from './detection-engine.js';
export type { AnalysisDetail, PartitionState } from './detection-engine.js';
export { evaluateFindings, formatEvaluation } from './evaluation.js';
export type { Evaluation } from './evaluation.js';
