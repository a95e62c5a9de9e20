export { compareEmbedders, formatEmbedderComparison } from './embedder-comparison.js';
export {
  runEvaluationSuite,
  type SuiteOptions,
  type SuiteResult,
  type SuiteRun,
} from './evaluation-suite.js';
// The bar itself is defined once in findings (each run's `passed` is judged by it); re-exported
// here with the verdict over many runs.
export { BAR_ITEMS, DETECTION_BAR } from '../findings/index.js';
export { barPassed, judgeBar, type BarVerdict } from './bar-verdict.js';
export { seedsFromCommit } from './commit-seeds.js';
export {
  leaveOneOut,
  THRESHOLD_GRID,
  type CorpusTrial,
  type LeaveOneOutRow,
  type ThresholdChoice,
} from './leave-one-out.js';
export { spread, summariseGroup } from './suite-summary.js';
export { formatRun, formatSuite } from './suite-report.js';
