/** Ingest: readers that turn log files and streams into validated API events. */
export { readInput } from './read-input.js';
export type { InputTarget, ReadInputOptions } from './read-input.js';
// Pull-style iteration over the same reader, for callers that consume records lazily (intel's
// member workflows, tests).
export { readAccounts, readEvents } from './read-events.js';
export type { IngestOptions } from './read-events.js';
export type { IngestProgress, ReadOptions } from './read-records.js';
export { IngestReport } from './ingest-report.js';
export type { FileStats } from './ingest-report.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  parseEventLine,
  parseJsonLine,
  unstorableAccountKey,
  unstorableEventKey,
  validateAccount,
  validateEvent,
} from './record-validation.js';
export type { EventLineResult, LineResult } from './record-validation.js';
export {
  FileQuarantine,
  MemoryQuarantine,
  QUARANTINE_RAW_LIMIT,
  quarantineRecord,
} from './quarantine-sink.js';
export type { QuarantineSink } from './quarantine-sink.js';
export { IdHashSet } from './id-hash-set.js';
export { CSV_FIELDS, parseCsvMap } from './csv-mapping.js';
export type { CsvColumnMap, CsvFieldName } from './csv-mapping.js';
export { DEFAULT_ACCOUNT_ATTRIBUTES } from './otlp-span.js';
export type { FormatOption, InputFormat } from './input-format.js';
export { checkInputFiles } from './input-file.js';
export { readUserFile, readUserJson } from './user-file.js';
export { createProgressReporter, describeProgress, formatBytes } from './progress-reporter.js';
export type { ProgressReporter } from './progress-reporter.js';
export { defaultQuarantinePath, formatValidateSummary, validateFiles } from './validate-files.js';
export type { ValidateOptions, ValidateResult } from './validate-files.js';
export {
  canReadPartitioned,
  PartitionLineProcessor,
  partitionOfAccount,
  scanTopLevelIds,
} from './partitioned-read.js';
export type { BatchResult, LineBatch, PartitionChannel, PartitionedReadOptions } from './partitioned-read.js';
export { rejectionFromIssues, type Rejection } from './issue-reason.js';
export { fieldNestedTooDeep, MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
export { EventLineScanner, ScannedLine, slotText } from './event-line-scanner.js';
export type { EventLineView, StringSlot } from './event-line-scanner.js';
