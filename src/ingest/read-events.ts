import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import type { CsvColumnMap } from './csv-mapping.js';
import { csvParser } from './csv-parser.js';
import { IdHashSet } from './id-hash-set.js';
import { IngestReport } from './ingest-report.js';
import { ndjsonParser } from './ndjson-parser.js';
import { otlpParser } from './otlp-parser.js';
import type { ReadOptions, RecordKind } from './read-records.js';
import { readRecordBatches } from './read-records.js';
import { validateAccount, validateEvent } from './record-validation.js';
import { isLogFormat, LOG_FORMATS } from './formats/log-formats.js';
import { logRecordParser } from './log-record-parser.js';
import { parquetRowParser } from './parquet-parser.js';

export interface IngestOptions extends ReadOptions {
  /** Drop events whose id was already read in this run (default true). */
  dedupe?: boolean;
  /** Column renames for CSV input (`--csv-map`). */
  csvMap?: CsvColumnMap;
  /** OTLP attribute holding the account id (default `enduser.id`, then `user.id`). */
  otlpAccountAttribute?: string;
}

function eventKind(opts: IngestOptions): RecordKind<ApiEvent> {
  const seen = opts.dedupe === false ? null : new IdHashSet();
  return {
    parser(file, format, handler, maxLineBytes) {
      if (format === 'csv') return csvParser(file, handler, opts.csvMap ?? {}, maxLineBytes);
      if (format === 'otlp') return otlpParser(handler, maxLineBytes, opts.otlpAccountAttribute);
      if (isLogFormat(format)) return logRecordParser(handler, LOG_FORMATS[format].map, maxLineBytes);
      return ndjsonParser(handler, validateEvent, maxLineBytes);
    },
    parquetParser: (file, handler, maxRowBytes, rowFormat) =>
      parquetRowParser(file, handler, maxRowBytes, rowFormat),
    admit(event, report) {
      if (seen && !seen.add(event.id)) {
        return {
          reason: 'duplicate_id',
          message: `event id "${event.id}" was already read; this copy was dropped`,
        };
      }
      report.countEvent(event.ts, event.account_id);
      return null;
    },
  };
}

/**
 * Validated, de-duplicated events from NDJSON/JSONL, CSV, OTLP/JSON, gateway and observability
 * logs (LiteLLM, Cloudflare AI Gateway, Kong, Langfuse) or Parquet files, plain or gzip, one
 * batch per chunk read. The fast path for the pipeline and workers. The generator's return
 * value (and `opts.report`) is the run's IngestReport.
 */
export function readEventBatches(
  paths: readonly string[],
  opts: IngestOptions = {},
): AsyncGenerator<ApiEvent[], IngestReport> {
  return readRecordBatches(paths, eventKind(opts), opts);
}

/** Like readEventBatches, one event at a time. */
export async function* readEvents(
  paths: readonly string[],
  opts: IngestOptions = {},
): AsyncGenerator<ApiEvent, IngestReport> {
  return yield* flatten(readEventBatches(paths, opts));
}

async function* flatten<T>(batches: AsyncGenerator<T[], IngestReport>): AsyncGenerator<T, IngestReport> {
  try {
    for (;;) {
      const r = await batches.next();
      if (r.done) return r.value;
      yield* r.value;
    }
  } finally {
    // A consumer that stops early must release the file the batches are reading.
    await batches.return(new IngestReport());
  }
}

const accountKind: RecordKind<AccountRecord> = {
  parser(_file, _format, handler, maxLineBytes) {
    // The accounts file is NDJSON by spec (shared/spec/api-event.md), gzip or not.
    return ndjsonParser(handler, validateAccount, maxLineBytes);
  },
  admit(account, report) {
    report.countAccountRecord(account.account_id);
    return null;
  },
};

/** Validated account records from an accounts NDJSON file (plain or gzip), one batch per chunk read. */
export function readAccountBatches(
  path: string,
  opts: ReadOptions = {},
): AsyncGenerator<AccountRecord[], IngestReport> {
  return readRecordBatches([path], accountKind, { ...opts, format: 'ndjson' });
}

/** Like readAccountBatches, one record at a time. */
export async function* readAccounts(
  path: string,
  opts: ReadOptions = {},
): AsyncGenerator<AccountRecord, IngestReport> {
  return yield* flatten(readAccountBatches(path, opts));
}
