export { compareEmbedders, formatEmbedderComparison } from './embedder-comparison.js';
export { runEvaluationSuite, type SuiteResult } from './evaluation-suite.js';
// The bar itself is defined once in findings (each run's `passed` is judged by it); re-exported
// here with the verdict over many runs.
export { DETECTION_BAR } from '../findings/index.js';
export { barPassed, judgeBar } from './bar-verdict.js';
export { seedsFromCommit } from './commit-seeds.js';
export { leaveOneOut, THRESHOLD_GRID, type CorpusTrial } from './leave-one-out.js';
export { summariseGroup } from './suite-summary.js';
export { formatRun, formatSuite } from './suite-report.js';
