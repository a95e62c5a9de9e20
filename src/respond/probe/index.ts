export {
  runProbe,
  type CanaryEvidence,
  type ProbeOptions,
  type ProbeReport,
  type SubjectResult,
} from './run-probe.js';
export { renderProbeHtml } from './report.js';
export { fisherOneSided, type TwoByTwo } from './fisher.js';
export { askChat, chatCompletionsUrl, type ChatTarget } from './chat-client.js';
export { formatProbeSummary, runProbeToFiles, type ProbeRunOptions, type ProbeRunResult } from './files.js';
