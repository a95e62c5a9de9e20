import type { ApiEvent } from '../contracts/index.js';
import { attributes, mapSpan } from './otlp-span.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { jsonLinesOrDocument } from './json-lines-or-document.js';
import { MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
import { validateEvent } from './record-validation.js';

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
 * in memory, up to MAX_JSON_DOCUMENT_BYTES). Each GenAI span becomes one event.
 */
export function otlpParser(
  handler: RecordHandler<ApiEvent>,
  maxLineBytes: number,
  accountAttribute?: string,
): FormatParser {
  const request = (value: unknown, lineNo: number, raw: string): void =>
    handleRequest(handler, value, lineNo, raw, accountAttribute);
  return jsonLinesOrDocument(handler, maxLineBytes, {
    what: 'OTLP document',
    tooLargeHint: 'export OTLP as JSON lines (one request per line)',
    // Any first line that is not a whole request starts a pretty-printed document.
    startsDocument: () => true,
    line: request,
    document: request,
  });
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
