/** Ingest: readers that turn log files and streams into validated API events. */
export { readInput } from './read-input.js';

// Pull-style iteration over the same reader, for callers that consume records lazily (intel's
// member workflows, tests).
export { readAccounts, readEvents, type IngestOptions } from './read-events.js';

export { IngestReport } from './ingest-report.js';

export {
  DEFAULT_MAX_LINE_BYTES,
  parseEventLine,
  parseJsonLine,
  parseJsonText,
  unstorableAccountKey,
  unstorableEventKey,
  validateAccount,
  validateEvent,
  type LineResult,
} from './record-validation.js';
export {
  FileQuarantine,
  MemoryQuarantine,
  quarantineRecord,
  type QuarantineSink,
} from './quarantine-sink.js';

export { parseCsvMap } from './csv-mapping.js';

export { checkInputFiles } from './input-file.js';
export { readUserFile, readUserJson, readUserYaml, userFileError } from './user-file.js';
export { createProgressReporter } from './progress-reporter.js';

export {
  defaultQuarantinePath,
  formatValidateSummary,
  validateFiles,
  type ValidateResult,
} from './validate-files.js';
export {
  canReadPartitioned,
  partitionOfAccount,
  PartitionLineProcessor,
  type BatchResult,
  type LineBatch,
  type PartitionChannel,
} from './partitioned-read.js';
export { rejectionFromIssues } from './issue-reason.js';
export { MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
export {
  EventLineScanner,
  type EventLineView,
  SavedScans,
  ScannedLine,
  slotText,
  type StringSlot,
} from './event-line-scanner.js';
