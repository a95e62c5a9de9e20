import type { ApiEvent } from '../contracts/index.js';
import { attributes, mapSpan } from './otlp-span.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { decodeLine } from './record-handler.js';
import { MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
import { validateEvent } from './record-validation.js';

/** A pretty-printed OTLP document has to be held whole; past this size, ask for JSON lines. */
export const MAX_OTLP_DOCUMENT_BYTES = 256 * 1024 * 1024;
const SPAN_RAW_LIMIT = 4096;
/**
 * How deep an OTLP request (a line, or the document) may nest. OTLP/JSON wraps each level of an
 * attribute value in four containers (kvlistValue, values, key-value, value) under seven of
 * envelope, so this leaves room for MAX_RECORD_DEPTH levels of attributes; the events made from
 * spans are then held to MAX_RECORD_DEPTH by validateEvent. Deeper requests are rejected whole,
 * before the mapping (which recurses into attribute values) runs.
 */
export const MAX_OTLP_DEPTH = 4 * MAX_RECORD_DEPTH + 16;

/**
 * OTLP/JSON trace exports (`ExportTraceServiceRequest`). Either one request per line (what the
 * collector's file exporter writes; streamed line by line) or one pretty-printed document (held
 * in memory, up to MAX_OTLP_DOCUMENT_BYTES). Each GenAI span becomes one event.
 */
export function otlpParser(
  handler: RecordHandler<ApiEvent>,
  maxLineBytes: number,
  accountAttribute?: string,
): FormatParser {
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';
  let doc: string[] = [];
  let docBytes = 0;
  let docStart = 0;
  let docBroken: string | null = null;

  const request = (value: unknown, lineNo: number, raw: string): void =>
    handleRequest(handler, value, lineNo, raw, accountAttribute);

  return {
    line(lineNo, bytes, tooLongBytes) {
      if (mode === 'document') {
        if (tooLongBytes > 0) docBroken ??= `line ${lineNo} is over the ${maxLineBytes}-byte line limit`;
        docBytes += bytes.length + 1;
        if (docBytes > MAX_OTLP_DOCUMENT_BYTES) {
          docBroken ??= `the document is over ${MAX_OTLP_DOCUMENT_BYTES} bytes; export OTLP as JSON lines (one request per line)`;
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
        if (mode === 'undecided') {
          // The first line is not a whole JSON value: a pretty-printed document.
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
      request(value, lineNo, text);
    },
    end() {
      if (mode !== 'document') return;
      if (docBroken !== null) {
        handler.reject(
          docStart,
          'line_too_long',
          `OTLP document starting at line ${docStart}: ${docBroken}`,
          '',
        );
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
          `OTLP document starting at line ${docStart} is not valid JSON: ${(err as Error).message}`,
          text,
        );
        return;
      }
      request(value, docStart, text.slice(0, SPAN_RAW_LIMIT));
    },
  };
}

/** One export request: every GenAI span in it accepted as an event, or rejected with where it was. */
function handleRequest(
  handler: RecordHandler<ApiEvent>,
  value: unknown,
  lineNo: number,
  raw: string,
  accountAttribute: string | undefined,
): void {
  if (
    value === null ||
    typeof value !== 'object' ||
    !Array.isArray((value as { resourceSpans?: unknown }).resourceSpans)
  ) {
    handler.reject(lineNo, 'invalid_span', 'not an OTLP trace export: no "resourceSpans" array', raw);
    return;
  }
  const deep = rejectTooDeep(value, MAX_OTLP_DEPTH);
  if (deep) {
    handler.reject(lineNo, deep.reason, `OTLP request: ${deep.message}`, raw);
    return;
  }
  const rs = (value as { resourceSpans: unknown[] }).resourceSpans;
  rs.forEach((resourceSpan, i) => {
    const r = resourceSpan as { resource?: { attributes?: unknown }; scopeSpans?: unknown } | null;
    const resource = attributes(r?.resource?.attributes);
    const scopes = Array.isArray(r?.scopeSpans) ? (r.scopeSpans as { spans?: unknown }[]) : [];
    scopes.forEach((scope, j) => {
      const spans = Array.isArray(scope?.spans) ? scope.spans : [];
      spans.forEach((span: unknown, k) => {
        const where = `span resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        const m = mapSpan(span, { resource, accountAttribute });
        if (m.kind === 'skip') return handler.skipped();
        const spanRaw = (): string => (JSON.stringify(span) ?? '').slice(0, SPAN_RAW_LIMIT);
        if (m.kind === 'invalid')
          return handler.reject(lineNo, 'invalid_span', `${where}: ${m.message}`, spanRaw());
        const v = validateEvent(m.event);
        if (v.ok) handler.accept(v.value, lineNo);
        else handler.reject(lineNo, v.reason, `${where}: ${v.message}`, spanRaw());
      });
    });
  });
}
