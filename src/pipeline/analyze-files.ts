import type { DetectConfigInput } from '../contracts/index.js';
import { DetectionEngine, type AnalysisDetail } from '../findings/index.js';
import {
  canReadPartitioned,
  checkInputFiles,
  IngestReport,
  readInput,
  type IngestOptions,
} from '../ingest/index.js';
import { defaultThreads, feedEngineThreaded, THREADS_MIN_BYTES } from './analyze-threads.js';
import { engineThreadAvailable } from './engine-thread-protocol.js';

export interface AnalyzeOptions extends Omit<IngestOptions, 'report'> {
  /** Account record files (NDJSON). */
  accounts?: readonly string[];
  /** Known-benign traffic to calibrate on instead of the population itself. */
  baseline?: readonly string[];
  config?: DetectConfigInput;
  /**
   * Partition worker threads for the traffic (1 = all on this thread). Default: one per core (at
   * most 2) for NDJSON inputs of 32 MiB or more, where threads pay for their start-up.
   */
  threads?: number;
  /** Called when reading is done and scoring starts (a progress display moves to that stage). */
  onScoring?: (accounts: number) => void;
}

export interface AnalyzeResult {
  detail: AnalysisDetail;
  report: IngestReport;
  engine: DetectionEngine;
}

/**
 * Feeds every event of the files into an engine (streaming, bounded per account). NDJSON lines
 * the reader scanned as valid events go to the engine without being parsed again
 * (DetectionEngine.addLine); the findings are those of parsed events (partitioned-read.test).
 */
export async function feedEngine(
  engine: DetectionEngine,
  paths: readonly string[],
  opts: IngestOptions & { accounts?: readonly string[] },
): Promise<IngestReport> {
  const report = await readInput(
    paths,
    {
      accounts: (records) => {
        for (const r of records) engine.addAccount(r);
      },
      events: (batch) => {
        for (const e of batch) engine.addEvent(e);
      },
      line: (view) => engine.addLine(view),
    },
    { ...opts, report: opts.report ?? new IngestReport() },
  );
  // Scanned lines reach the engine uncounted by account; the count is a set, so ids it already has stay once.
  for (const id of engine.accountIds()) report.countAccountId(id);
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
  const threads = await threadsFor(paths, opts);
  const report =
    threads > 1
      ? await feedEngineThreaded(engine, paths, opts, threads)
      : await feedEngine(engine, paths, opts);
  opts.onScoring?.(engine.accountCount);
  const detail = engine.analyze({ rejectedLines: report.rejectedLines });
  return { detail, report, engine };
}

async function threadsFor(paths: readonly string[], opts: AnalyzeOptions): Promise<number> {
  const asked = opts.threads;
  if (asked !== undefined && asked <= 1) return 1;
  if (!engineThreadAvailable()) return 1;
  if (asked === undefined) {
    const bytes = (await checkInputFiles(paths)).reduce((a, b) => a + b, 0);
    if (bytes < THREADS_MIN_BYTES) return 1;
  }
  if (!(await canReadPartitioned(paths, opts))) return 1;
  return asked ?? defaultThreads();
}
