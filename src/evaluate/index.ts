export { compareEmbedders, formatEmbedderComparison } from './embedder-comparison.js';
export { defaultCorporaDir, runEvaluationSuite } from './evaluation-suite.js';
