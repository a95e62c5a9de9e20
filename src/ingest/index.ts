/** Ingest: readers that turn log files and streams into validated API events. */
export { readAccounts, readEventBatches, readEvents } from './readEvents.js';
export type { IngestOptions } from './readEvents.js';
export type { IngestProgress, ReadOptions } from './readRecords.js';
export { IngestReport } from './ingestReport.js';
export type { FileStats } from './ingestReport.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  parseEventLine,
  parseJsonLine,
  unstorableAccountKey,
  unstorableEventKey,
  validateAccount,
  validateEvent,
} from './recordValidation.js';
export type { EventLineResult, LineResult } from './recordValidation.js';
export { FileQuarantine, MemoryQuarantine, QUARANTINE_RAW_LIMIT, quarantineRecord } from './quarantine.js';
export type { QuarantineSink } from './quarantine.js';
export { IdHashSet } from './idHashSet.js';
export { CSV_FIELDS, parseCsvMap } from './csvMapping.js';
export type { CsvColumnMap, CsvFieldName } from './csvMapping.js';
export { DEFAULT_ACCOUNT_ATTRIBUTES } from './otlpSpan.js';
export type { FormatOption, InputFormat } from './inputFormat.js';
export { checkInputFiles } from './inputFile.js';
export { createProgressReporter, describeProgress, formatBytes } from './progressReporter.js';
export type { ProgressReporter } from './progressReporter.js';
export { defaultQuarantinePath, formatValidateSummary, validateFiles } from './validateFiles.js';
export type { ValidateOptions, ValidateResult } from './validateFiles.js';
export {
  canReadPartitioned,
  PartitionLineProcessor,
  partitionOfAccount,
  readEventsPartitioned,
  scanTopLevelIds,
} from './partitionedRead.js';
export type { BatchResult, LineBatch, PartitionChannel, PartitionedReadOptions } from './partitionedRead.js';
export { rejectionFromIssues, type Rejection } from './issueReason.js';
export { fieldNestedTooDeep, MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
export { EventLineScanner, ScannedLine, slotText } from './eventLineScanner.js';
export type { EventLineView, StringSlot } from './eventLineScanner.js';
