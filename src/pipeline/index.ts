export { analyzeFiles, feedEngine, type AnalyzeOptions, type AnalyzeResult } from './analyze-files.js';
export {
  runEvaluationSuite,
  defaultCorporaDir,
  type SuiteOptions,
  type SuiteRun,
} from './evaluation-suite.js';
export { renderHtmlReport } from './report/index.js';
export {
  compareEmbedders,
  formatEmbedderComparison,
  type EmbedderComparison,
  type EmbedderScore,
} from './embedder-comparison.js';
