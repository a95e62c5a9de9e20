import type { DetectConfigInput } from '../schema/index.js';
import { DetectionEngine, type AnalysisDetail } from '../detect/index.js';
import { IngestReport, readAccounts, readEventBatches, type IngestOptions } from '../ingest/index.js';

export interface AnalyzeOptions extends Omit<IngestOptions, 'report'> {
  /** Account record files (NDJSON). */
  accounts?: readonly string[];
  /** Known-benign traffic to calibrate on instead of the population itself. */
  baseline?: readonly string[];
  config?: DetectConfigInput;
}

export interface AnalyzeResult {
  detail: AnalysisDetail;
  report: IngestReport;
  engine: DetectionEngine;
}

/** Feeds every event of the files into an engine (streaming, bounded per account). */
export async function feedEngine(
  engine: DetectionEngine,
  paths: readonly string[],
  opts: IngestOptions & { accounts?: readonly string[] },
): Promise<IngestReport> {
  const report = opts.report ?? new IngestReport();
  for (const file of opts.accounts ?? []) {
    for await (const rec of readAccounts(file, { quarantine: opts.quarantine, report }))
      engine.addAccount(rec);
  }
  for await (const batch of readEventBatches(paths, { ...opts, report })) {
    for (const e of batch) engine.addEvent(e);
  }
  return report;
}

/** The batch driver: read files, run the engine, return findings and the ingest report. */
export async function analyzeFiles(
  paths: readonly string[],
  opts: AnalyzeOptions = {},
): Promise<AnalyzeResult> {
  const engine = new DetectionEngine(opts.config);
  if (opts.baseline?.length) {
    const baseline = new DetectionEngine(opts.config);
    await feedEngine(baseline, opts.baseline, { format: opts.format, csvMap: opts.csvMap });
    engine.useBaseline(baseline);
  }
  const report = await feedEngine(engine, paths, opts);
  const detail = engine.analyze({ rejectedLines: report.rejectedLines });
  return { detail, report, engine };
}
