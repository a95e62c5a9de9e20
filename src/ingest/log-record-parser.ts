import type { ApiEvent } from '../contracts/index.js';
import type { RecordMapper } from './formats/log-record.js';
import { isObject } from './formats/log-record.js';
import { MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
import { jsonLinesOrDocument } from './json-lines-or-document.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { validateEvent } from './record-validation.js';

const RAW_LIMIT = 4096;

/**
 * Foreign log records become events here, one rule for every format and source (JSON lines, a
 * JSON array export, Parquet rows): the record is bounded in depth before it is mapped, mapped by
 * its format, and each event validated exactly like a native one. A record that cannot map is
 * rejected with the mapper's stable reason; nothing is dropped unreported.
 */
export class LogRecordSink {
  constructor(
    private readonly handler: RecordHandler<ApiEvent>,
    private readonly map: RecordMapper,
  ) {}

  record(lineNo: number, value: unknown, raw: () => string, where = ''): void {
    const { handler } = this;
    const cut = (): string => raw().slice(0, RAW_LIMIT);
    if (!isObject(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      handler.reject(lineNo, 'not_an_object', `${where}expected a JSON object, got ${kind}`, cut());
      return;
    }
    // The mappers walk the record, so its depth is bounded first (as for native events).
    const deep = rejectTooDeep(value, MAX_RECORD_DEPTH);
    if (deep) {
      handler.reject(lineNo, deep.reason, `${where}${deep.message}`, cut());
      return;
    }
    const mapped = this.map(value, raw);
    mapped.forEach((m, i) => {
      const at = mapped.length > 1 ? `${where}record ${i + 1} of ${mapped.length}: ` : where;
      if (m.kind === 'skip') return handler.skipped();
      if (m.kind === 'invalid') return handler.reject(lineNo, m.reason, `${at}${m.message}`, cut());
      const v = validateEvent(m.event);
      if (v.ok) handler.accept(v.value, lineNo);
      else handler.reject(lineNo, v.reason, `${at}${v.message}`, cut());
    });
  }
}

/**
 * A gateway or observability log as text: one JSON record per line (JSONL, what Logpush, Kong's
 * file-log and the Langfuse JSONL export write), or one JSON document (an array of records, as
 * the Langfuse JSON export and LiteLLM's `/spend/logs` give, or one trace downloaded as JSON),
 * held whole up to MAX_JSON_DOCUMENT_BYTES.
 */
export function logRecordParser(
  handler: RecordHandler<ApiEvent>,
  map: RecordMapper,
  maxLineBytes: number,
): FormatParser {
  const sink = new LogRecordSink(handler, map);
  return jsonLinesOrDocument(handler, maxLineBytes, {
    what: 'JSON document',
    tooLargeHint: 'export JSON lines instead',
    startsDocument: (first) => /^\s*[[{]/.test(first),
    line(value, lineNo, text) {
      if (Array.isArray(value)) {
        value.forEach((r, i) => sink.record(lineNo, r, () => JSON.stringify(r) ?? '', `item [${i}]: `));
      } else sink.record(lineNo, value, () => text);
    },
    document(value, startLine) {
      const items = Array.isArray(value) ? value : [value];
      items.forEach((r, i) =>
        sink.record(startLine, r, () => JSON.stringify(r) ?? '', Array.isArray(value) ? `item [${i}]: ` : ''),
      );
    },
  });
}
