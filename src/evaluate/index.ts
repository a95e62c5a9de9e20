export { compareEmbedders, formatEmbedderComparison } from './embedder-comparison.js';
export { runEvaluationSuite } from './evaluation-suite.js';
export type { SuiteOptions, SuiteResult, SuiteRun } from './evaluation-suite.js';
// The bar itself is defined once in findings (each run's `passed` is judged by it); re-exported
// here with the verdict over many runs.
export { BAR_ITEMS, DETECTION_BAR } from '../findings/index.js';
export { barPassed, judgeBar } from './detection-bar.js';
export type { BarVerdict } from './detection-bar.js';
export { seedsFromCommit } from './commit-seeds.js';
export { leaveOneOut, selectThresholds, THRESHOLD_GRID } from './leave-one-out.js';
export type { CorpusTrial, LeaveOneOutRow, ThresholdChoice } from './leave-one-out.js';
export { ABLATION_ITEMS, ablationTable, campaignCarriers } from './ablation.js';
export { spread, summariseGroup } from './suite-summary.js';
export { formatBar, formatRun, formatSuite } from './suite-report.js';
