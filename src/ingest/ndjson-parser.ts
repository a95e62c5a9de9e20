import type { FormatParser, RecordHandler } from './record-handler.js';
import { decodeLine } from './record-handler.js';
import type { LineResult } from './record-validation.js';
import { parseJsonLine } from './record-validation.js';

/** One JSON object per line (NDJSON / JSONL), validated by `validate`. */
export function ndjsonParser<T>(
  handler: RecordHandler<T>,
  validate: (v: unknown) => LineResult<T>,
  maxLineBytes: number,
): FormatParser {
  return {
    line(lineNo, bytes, tooLongBytes) {
      const text = decodeLine(handler, lineNo, bytes, tooLongBytes, maxLineBytes);
      if (text === null) return;
      const r = parseJsonLine(text, lineNo, maxLineBytes, validate);
      if (r.ok) handler.accept(r.value, lineNo);
      else handler.reject(lineNo, r.reason, r.message, text);
    },
    end() {},
  };
}
