import { CORROBORATION_RULE } from '../detect/index.js';
import { ACCOUNT_ACT_RULE } from './account-scoring.js';
import { CLUSTER_ACT_RULE } from './cluster-act.js';

export { DetectionEngine, type PartitionState } from './detection-engine.js';
export { KERNEL_DIMENSIONS } from './population-view.js';
export { institutionOfFinding, type Institution } from './cluster-act.js';

/** The rules behind the levels, in words, for reports (each finding's basis names the one it met). */
export const LEVEL_RULES = {
  review: CORROBORATION_RULE,
  accountAct: ACCOUNT_ACT_RULE,
  clusterAct: CLUSTER_ACT_RULE,
} as const;
export type { AnalysisDetail } from './assembly.js';
export { evaluateFindings, formatEvaluation, type Evaluation } from './evaluation.js';
export { BAR_ITEMS, DETECTION_BAR, type BarItemId } from './detection-bar.js';
export { LINK_TYPES } from './switched-off.js';
