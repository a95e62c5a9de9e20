export { compareEmbedders, formatEmbedderComparison } from './embedder-comparison.js';
export { runEvaluationSuite } from './evaluation-suite.js';
