export { runProbe, type ProbeReport } from './run-probe.js';
export { renderProbeHtml } from './report.js';
export { formatProbeSummary, runProbeToFiles } from './files.js';
