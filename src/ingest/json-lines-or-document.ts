import type { FormatParser, RecordHandler } from './record-handler.js';
import { decodeLine } from './record-handler.js';

/** A pretty-printed document has to be held whole; past this size, ask for JSON lines. */
export const MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024;
const RAW_LIMIT = 4096;

export interface JsonLinesOrDocument {
  /** Names the document in messages ("OTLP document starting at line 3 …"). */
  what: string;
  /** What to do instead when the document is too large to hold. */
  tooLargeHint: string;
  /** Whether a first line that is not whole JSON starts a document (else it is a bad line). */
  startsDocument: (firstLine: string) => boolean;
  /** One parsed JSON line. */
  line: (value: unknown, lineNo: number, text: string) => void;
  /** The whole document, parsed; `raw` is its start, for quarantine. */
  document: (value: unknown, startLine: number, raw: string) => void;
}

/**
 * The text layout OTLP exports and foreign logs share: one JSON value per line (streamed), or one
 * JSON document spread over lines (held whole, up to MAX_JSON_DOCUMENT_BYTES), decided by the
 * first line. Bad lines and a broken or oversized document are rejected with where they were.
 */
export function jsonLinesOrDocument(
  handler: RecordHandler<unknown>,
  maxLineBytes: number,
  o: JsonLinesOrDocument,
): FormatParser {
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';
  let doc: string[] = [];
  let docBytes = 0;
  let docStart = 0;
  let docBroken: string | null = null;

  return {
    line(lineNo, bytes, tooLongBytes) {
      if (mode === 'document') {
        if (tooLongBytes > 0) docBroken ??= `line ${lineNo} is over the ${maxLineBytes}-byte line limit`;
        docBytes += bytes.length + 1;
        if (docBytes > MAX_JSON_DOCUMENT_BYTES) {
          docBroken ??= `the document is over ${MAX_JSON_DOCUMENT_BYTES} bytes; ${o.tooLargeHint}`;
        }
        if (docBroken === null) doc.push(bytes.toString('utf8'));
        else doc = [];
        return;
      }
      const text = decodeLine(handler, lineNo, bytes, tooLongBytes, maxLineBytes);
      if (text === null) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        if (mode === 'undecided' && o.startsDocument(text)) {
          // The first line is not a whole JSON value: a document spread over lines.
          mode = 'document';
          docStart = lineNo;
          doc.push(text);
          docBytes = bytes.length + 1;
          return;
        }
        handler.reject(
          lineNo,
          'invalid_json',
          `line ${lineNo} is not valid JSON: ${(err as Error).message}`,
          text,
        );
        return;
      }
      mode = 'lines';
      o.line(value, lineNo, text);
    },
    end() {
      if (mode !== 'document') return;
      if (docBroken !== null) {
        handler.reject(docStart, 'line_too_long', `${o.what} starting at line ${docStart}: ${docBroken}`, '');
        return;
      }
      const text = doc.join('\n');
      doc = [];
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        handler.reject(
          docStart,
          'invalid_json',
          `${o.what} starting at line ${docStart} is not valid JSON: ${(err as Error).message}`,
          text.slice(0, RAW_LIMIT),
        );
        return;
      }
      o.document(value, docStart, text.slice(0, RAW_LIMIT));
    },
  };
}
