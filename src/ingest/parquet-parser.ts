import type { ApiEvent } from '../contracts/index.js';
import { formatOfRecords, isLogFormat, LOG_FORMATS } from './formats/log-formats.js';
import type { Json, MappedRecord, RecordMapper } from './formats/log-record.js';
import { maybeJson, toTimestamp } from './formats/log-record.js';
import { LogRecordSink } from './log-record-parser.js';
import { dropNulls, type ParquetRow } from './parquet-read.js';
import type { RecordHandler } from './record-handler.js';

const SNIFF_ROWS = 8;

/** Event fields that hold objects; a Parquet file may keep them as JSON text columns. */
const OBJECT_FIELDS = ['client', 'request', 'response', 'usage', 'account', 'labels'];

/**
 * A Parquet row with the native event's columns: nested columns (STRUCT, MAP, LIST or JSON) or
 * JSON text for the object fields, and `ts` as text or a TIMESTAMP column (read as UTC when it
 * has no zone). Validated like any native event.
 */
export const mapNativeRow: RecordMapper = (row) => {
  const event: Json = { ...row };
  for (const f of OBJECT_FIELDS) if (typeof event[f] === 'string') event[f] = maybeJson(event[f]);
  if (event.ts !== undefined) event.ts = toTimestamp(event.ts);
  return [{ kind: 'event', event } satisfies MappedRecord];
};

/** Where a Parquet file's rows go: mapped by the format of their columns, then validated. */
export interface ParquetRowParser {
  rows(batch: ParquetRow[]): void;
  end(): void;
}

/**
 * Parquet rows of one file. The row format is `rowFormat` when given (`--format litellm` on a
 * Parquet file), else what the first rows' columns show, as for text files: native event columns
 * or one of the log formats' fields.
 */
export function parquetRowParser(
  file: string,
  handler: RecordHandler<ApiEvent>,
  maxRowBytes: number,
  rowFormat?: string,
): ParquetRowParser {
  let sink: LogRecordSink | null =
    rowFormat !== undefined && isLogFormat(rowFormat)
      ? new LogRecordSink(handler, LOG_FORMATS[rowFormat].map)
      : null;
  let pending: { row: ParquetRow; value: unknown }[] = [];

  const decide = (): LogRecordSink => {
    const format = formatOfRecords(
      file,
      pending.map((p) => p.value),
    );
    return new LogRecordSink(handler, isLogFormat(format) ? LOG_FORMATS[format].map : mapNativeRow);
  };
  const feed = (s: LogRecordSink, row: ParquetRow, value: unknown): void =>
    s.record(row.row, value, () => row.json ?? row.head);

  const take = (row: ParquetRow): void => {
    if (row.json === null) {
      handler.reject(
        row.row,
        'line_too_long',
        `row ${row.row} is ${row.bytes} bytes as JSON, over the ${maxRowBytes}-byte limit; it was skipped`,
        row.head,
        row.bytes,
      );
      return;
    }
    const value = dropNulls(JSON.parse(row.json) as unknown);
    if (sink) return feed(sink, row, value);
    pending.push({ row, value });
    if (pending.length >= SNIFF_ROWS) flushPending();
  };
  const flushPending = (): void => {
    sink = decide();
    for (const p of pending) feed(sink, p.row, p.value);
    pending = [];
  };

  return {
    rows(batch) {
      for (const row of batch) take(row);
    },
    end() {
      if (!sink && pending.length > 0) flushPending();
    },
  };
}
