import type { Json, MappedRecord } from './log-record.js';
import {
  isObject,
  jsonObject,
  maybeJson,
  noMessages,
  pickAccount,
  putExchange,
  text,
  toMessages,
  toParams,
  toResponse,
  toTimestamp,
} from './log-record.js';

/**
 * Langfuse exports (langfuse.com/docs/api-and-data-platform/features/export-from-ui and the public
 * API): observations (the Generations table export, `GET /api/public/v2/observations`), traces
 * (the Traces table export) and a single trace downloaded as JSON with its observations. Each
 * GENERATION observation is one exchange; other observation types (SPAN, EVENT, TOOL, ...) are
 * skipped and counted. A trace without observations is one exchange.
 */
export function looksLikeLangfuse(r: Json): boolean {
  const observation =
    typeof r.traceId === 'string' && typeof r.type === 'string' && r.startTime !== undefined;
  const trace =
    r.timestamp !== undefined &&
    (r.observations !== undefined || r.userId !== undefined || r.sessionId !== undefined);
  return observation || trace;
}

interface TraceContext {
  userId?: unknown;
  sessionId?: unknown;
}

export function mapLangfuse(r: Json): MappedRecord[] {
  if (typeof r.traceId === 'string' && typeof r.type === 'string') return [mapObservation(r, {})];
  const observations = Array.isArray(r.observations) ? r.observations.filter(isObject) : [];
  if (observations.length > 0) {
    const ctx: TraceContext = { userId: r.userId, sessionId: r.sessionId };
    return observations.map((o) => mapObservation(o, ctx));
  }
  return [mapTrace(r)];
}

function mapObservation(o: Json, trace: TraceContext): MappedRecord {
  if (typeof o.type !== 'string' || o.type.toUpperCase() !== 'GENERATION') return { kind: 'skip' };
  const start = exchangeStart(o, 'observation', o.userId ?? trace.userId, toTimestamp(o.startTime));
  if (!start.ok) return start.rejection;
  const { event, messages } = start;
  event.model = text(o.model) ?? text(o.providedModelName) ?? o.model ?? 'unknown';
  const details = isObject(o.usageDetails) ? o.usageDetails : {};
  const usage = isObject(o.usage) ? o.usage : {};
  putExchange(
    event,
    {
      messages,
      conversationId: text(o.sessionId) ?? text(trace.sessionId) ?? text(o.traceId),
      params: toParams(maybeJson(o.modelParameters), true),
    },
    toResponse(o.output),
    details.input ?? usage.input ?? usage.promptTokens ?? o.promptTokens,
    details.output ?? usage.output ?? usage.completionTokens ?? o.completionTokens,
  );
  return { kind: 'event', event };
}

/** A trace exported on its own: its input and output are the exchange; it names no model. */
function mapTrace(t: Json): MappedRecord {
  const start = exchangeStart(t, 'trace', t.userId, toTimestamp(t.timestamp));
  if (!start.ok) return start.rejection;
  const { event, messages } = start;
  // As DistillGuard's own gateway does for a request that names none.
  event.model = text(jsonObject(t.metadata).model) ?? 'unknown';
  putExchange(event, { messages, conversationId: text(t.sessionId) }, toResponse(t.output));
  return { kind: 'event', event };
}

type Message = NonNullable<ReturnType<typeof toMessages>>[number];

/**
 * What an observation and a trace map alike: the account (the user id, else `metadata.user_id`),
 * the conversation (`input`), the id and the time. The event is completed by the caller.
 */
function exchangeStart(
  r: Json,
  kind: 'observation' | 'trace',
  userId: unknown,
  ts: unknown,
): { ok: false; rejection: MappedRecord } | { ok: true; event: Json; messages: Message[] } {
  const account = pickAccount(
    [
      ['userId', userId],
      ['metadata.user_id', jsonObject(r.metadata).user_id],
    ],
    kind === 'observation'
      ? 'set userId on the trace (Langfuse propagates it to its observations)'
      : 'set userId on the trace',
  );
  if (!account.ok) return { ok: false, rejection: account.rejection };
  const messages = toMessages(r.input);
  if (!messages)
    return { ok: false, rejection: noMessages(`the ${kind}'s "input"`, 'keep inputs in the export') };
  return { ok: true, event: { id: r.id, ts, account_id: account.value }, messages };
}
