import { parse } from 'csv-parse/sync';
import type { ApiEvent } from '../contracts/index.js';
import { bindHeader, columnForPath, rowToEvent } from './csv-mapping.js';
import type { BoundColumn, CsvColumnMap } from './csv-mapping.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { decodeLine } from './record-handler.js';
import { validateEvent } from './record-validation.js';

/**
 * CSV with a header row (RFC 4180). Lines go through the same splitter as NDJSON, so over-long
 * lines and invalid UTF-8 are caught per line; a quoted field spanning lines is joined by tracking
 * quote parity, and each complete record is parsed by csv-parse.
 */
export function csvParser(
  file: string,
  handler: RecordHandler<ApiEvent>,
  map: CsvColumnMap,
  maxLineBytes: number,
): FormatParser {
  let columns: BoundColumn[] | null = null;
  let parts: string[] = [];
  let partBytes = 0;
  let startLine = 0;
  let openQuote = false;

  const flushRecord = (): void => {
    const text = parts.join('\n');
    parts = [];
    partBytes = 0;
    const row = parseRecord(handler, startLine, text);
    if (!row) return;
    if (columns === null) {
      columns = bindHeader(file, row, map);
      return;
    }
    const r = validateEvent(rowToEvent(row, columns));
    if (r.ok) handler.accept(r.value, startLine);
    else handler.reject(startLine, r.reason, nameColumn(r.message, columns), text);
  };

  return {
    line(lineNo, bytes, tooLongBytes) {
      if (tooLongBytes > 0 && parts.length > 0) {
        // A quoted field ran into an over-long line: drop the whole record with it.
        handler.reject(
          startLine,
          'line_too_long',
          `CSV record from line ${startLine} runs into line ${lineNo}, over the ${maxLineBytes}-byte limit`,
          parts.join('\n'),
        );
        parts = [];
        partBytes = 0;
        openQuote = false;
      }
      if (openQuote && tooLongBytes === 0 && bytes.length === 0) {
        // A blank line inside a quoted field is part of the value, not an empty line.
        parts.push('');
        return;
      }
      const text = decodeLine(handler, lineNo, bytes, tooLongBytes, maxLineBytes);
      if (text === null) return;
      if (parts.length === 0) startLine = lineNo;
      parts.push(text);
      partBytes += bytes.length;
      if (countQuotes(text) % 2 === 1) openQuote = !openQuote;
      if (openQuote && partBytes > maxLineBytes) {
        handler.reject(
          startLine,
          'line_too_long',
          `CSV record from line ${startLine} is over the ${maxLineBytes}-byte limit`,
          parts.join('\n'),
          partBytes,
        );
        parts = [];
        partBytes = 0;
        openQuote = false;
        return;
      }
      if (!openQuote) flushRecord();
    },
    end() {
      if (parts.length > 0) {
        handler.reject(
          startLine,
          'invalid_csv',
          `CSV record from line ${startLine} has a quote that is never closed`,
          parts.join('\n'),
        );
      }
    },
  };
}

/** The record's fields, or undefined when it is empty or not valid CSV (then rejected). */
function parseRecord(
  handler: RecordHandler<ApiEvent>,
  startLine: number,
  text: string,
): string[] | undefined {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, bom: true });
  } catch (err) {
    handler.reject(startLine, 'invalid_csv', `not a valid CSV record: ${(err as Error).message}`, text);
    return undefined;
  }
  return rows[0];
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

function nameColumn(message: string, columns: BoundColumn[]): string {
  return message.replace(/field "([^"]+)"/, (whole, path: string) => {
    const col = columnForPath(columns, path.replace(/\[\d+\].*$/, ''));
    return col === undefined ? whole : `${whole} (CSV column "${col}")`;
  });
}
