import { createHash } from 'node:crypto';
import type { RejectReason } from '../../contracts/index.js';

/**
 * What one foreign log record maps to: events (still to be validated exactly like native
 * events), a record that is valid but not a model exchange (skipped and counted), or a record
 * that cannot map, with a stable reason.
 */
export type MappedRecord =
  | { kind: 'event'; event: Record<string, unknown> }
  | { kind: 'skip' }
  | { kind: 'invalid'; reason: RejectReason; message: string };

/** Maps one parsed record of a format to events; `raw` is its text, for a content-derived id. */
export type RecordMapper = (record: Record<string, unknown>, raw: () => string) => MappedRecord[];

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a dot path of plain objects, or undefined. */
export function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** A non-empty string, else undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Records without an id of their own (Cloudflare Logpush, Kong without a request id) get one
 * derived from their content, so reading the same log twice gives the same ids and the second
 * copy is caught as a duplicate.
 */
export function contentId(format: string, raw: string): string {
  return `${format}-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}

/**
 * A foreign time as RFC 3339: epoch numbers (or digit strings) by magnitude — seconds,
 * milliseconds, microseconds or nanoseconds; a date-time without a zone (LiteLLM's database,
 * Parquet TIMESTAMP columns) is read as UTC. Anything else is passed on as it is, so validation
 * rejects it as `bad_timestamp`.
 */
export function toTimestamp(v: unknown): unknown {
  let n: number | undefined;
  if (typeof v === 'number' && Number.isFinite(v)) n = v;
  else if (typeof v === 'string' && /^\d{9,19}(\.\d+)?$/.test(v)) n = Number(v);
  if (n !== undefined) {
    const ms = n >= 1e17 ? n / 1e6 : n >= 1e14 ? n / 1e3 : n >= 1e11 ? n : n * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? v : d.toISOString();
  }
  if (typeof v === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(v);
    if (m) {
      const zone = m[3] === undefined ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3];
      return `${m[1]}T${m[2]}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
    }
  }
  return v;
}

/** Parses text that holds a JSON object or array (gateways log bodies as strings); else returns it. */
export function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** The object a field holds, parsed when logged as JSON text; {} when it holds none. */
export function jsonObject(v: unknown): Json {
  const parsed = maybeJson(v);
  return isObject(parsed) ? parsed : {};
}

interface Message {
  role: unknown;
  content: unknown;
}

/**
 * The conversation sent, from the shapes gateways log: an OpenAI messages array, a request body
 * holding `messages` (and Anthropic's top-level `system`), a Responses API `input` (text or items),
 * a legacy `prompt`, one message, or plain text (one user message). Null content (an assistant
 * turn that only called tools) becomes "". Undefined when there is no conversation.
 */
export function toMessages(v: unknown, depth = 0): Message[] | undefined {
  if (depth > 3) return undefined;
  const value = maybeJson(v);
  if (typeof value === 'string') return value === '' ? undefined : [{ role: 'user', content: value }];
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return (value as unknown[]).map((m): Message => {
      if (typeof m === 'string') return { role: 'user', content: m };
      if (!isObject(m)) return { role: undefined, content: m };
      return { role: m.role ?? (m.type === 'message' ? 'user' : undefined), content: m.content ?? '' };
    });
  }
  if (!isObject(value)) return undefined;
  if (value.messages !== undefined) {
    const list = toMessages(value.messages, depth + 1);
    const system = systemText(value.system);
    if (list && system !== undefined) return [{ role: 'system', content: system }, ...list];
    return list;
  }
  if (value.input !== undefined) {
    const list = toMessages(value.input, depth + 1);
    const instructions = text(value.instructions);
    if (list && instructions !== undefined) return [{ role: 'system', content: instructions }, ...list];
    return list;
  }
  if (value.prompt !== undefined) return toMessages(value.prompt, depth + 1);
  if (value.role !== undefined && value.content !== undefined)
    return [{ role: value.role, content: value.content }];
  return undefined;
}

function systemText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).filter((t) => t);
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
  return undefined;
}

export interface ResponseSummary {
  text?: string;
  finish_reason?: unknown;
  reasoning_tokens?: unknown;
  input_tokens?: unknown;
  output_tokens?: unknown;
}

/**
 * The answer, from the shapes gateways log: an OpenAI chat or text completion, an Anthropic
 * message, a Responses API response, a message `{role, content}`, `{content}` or plain text.
 */
export function toResponse(v: unknown): ResponseSummary | undefined {
  const value = maybeJson(v);
  if (typeof value === 'string') return { text: value };
  if (!isObject(value)) return undefined;
  const out: ResponseSummary = {};
  const choice = Array.isArray(value.choices) ? (value.choices[0] as unknown) : undefined;
  if (isObject(choice)) {
    const content = at(choice, 'message', 'content') ?? choice.text;
    out.text = partsText(content);
    if (choice.finish_reason !== undefined && choice.finish_reason !== null)
      out.finish_reason = choice.finish_reason;
  } else if (typeof value.output_text === 'string') {
    out.text = value.output_text;
  } else if (Array.isArray(value.output)) {
    out.text = value.output
      .map((item) => (isObject(item) ? partsText(item.content) : undefined))
      .filter((t): t is string => t !== undefined)
      .join('');
  } else if (value.content !== undefined) {
    out.text = partsText(value.content);
    if (typeof value.stop_reason === 'string') out.finish_reason = value.stop_reason;
  }
  const usage = value.usage;
  if (isObject(usage)) {
    out.input_tokens = usage.prompt_tokens ?? usage.input_tokens;
    out.output_tokens = usage.completion_tokens ?? usage.output_tokens;
    out.reasoning_tokens =
      at(usage, 'completion_tokens_details', 'reasoning_tokens') ??
      at(usage, 'output_tokens_details', 'reasoning_tokens');
  }
  return out;
}

function partsText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content
      .map((p) =>
        typeof p === 'string' ? p : isObject(p) && typeof p.text === 'string' ? p.text : undefined,
      )
      .filter((t): t is string => t !== undefined);
    return parts.join('');
  }
  return undefined;
}

/** Sets `target[key]` only when the value is given (so absent stays absent, not undefined). */
export function put(target: Json, key: string, value: unknown): void {
  if (value !== undefined && value !== null) target[key] = value;
}

/**
 * Completes a mapped event with the exchange: `request` (messages, conversation, parameters), then
 * `response` and `usage` — the tail every log format's mapper shares.
 */
export function putExchange(
  event: Json,
  request: { messages: unknown[]; conversationId?: string | undefined; params?: Json | undefined },
  response: ResponseSummary | undefined,
  inputTokens?: unknown,
  outputTokens?: unknown,
): void {
  const req: Json = { messages: request.messages };
  put(req, 'conversation_id', request.conversationId);
  put(req, 'params', request.params);
  event.request = req;
  putResponse(event, response, inputTokens, outputTokens);
}

/** Builds the `response` and `usage` blocks of an event from a response summary and token counts. */
export function putResponse(
  event: Json,
  r: ResponseSummary | undefined,
  inputTokens: unknown,
  outputTokens: unknown,
): void {
  if (r) {
    const response: Json = {};
    put(response, 'text', r.text);
    put(response, 'finish_reason', r.finish_reason);
    put(response, 'reasoning_tokens', r.reasoning_tokens);
    if (Object.keys(response).length > 0) event.response = response;
  }
  const usage: Json = {};
  put(usage, 'input_tokens', inputTokens ?? r?.input_tokens);
  put(usage, 'output_tokens', outputTokens ?? r?.output_tokens);
  if (Object.keys(usage).length > 0) event.usage = usage;
}

const PARAMS = ['temperature', 'top_p', 'max_tokens', 'n', 'logprobs', 'top_logprobs', 'stream'] as const;

/**
 * `request.params` from a request body or parameter map: the documented parameters copied as they
 * are (validation judges their types), `max_completion_tokens` / `max_output_tokens` read as
 * `max_tokens`, `tools` counted. `numericStrings` reads "0.7" as 0.7 (Langfuse keeps parameters
 * as strings).
 */
export function toParams(v: unknown, numericStrings = false): Json | undefined {
  if (!isObject(v)) return undefined;
  const params: Json = {};
  for (const key of PARAMS) {
    let value =
      v[key] ?? (key === 'max_tokens' ? (v.max_completion_tokens ?? v.max_output_tokens) : undefined);
    if (numericStrings && typeof value === 'string') {
      if (/^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
      else if (value === 'true' || value === 'false') value = value === 'true';
    }
    put(params, key, value);
  }
  if (Array.isArray(v.tools)) params.tools = v.tools.length;
  return Object.keys(params).length > 0 ? params : undefined;
}

/**
 * The first account id among `candidates` (source field name, value): a non-empty string. A
 * candidate of another type is a `wrong_type` rejection naming the field; none at all is
 * `missing_field`, with `hint` saying how to get one logged.
 */
export function pickAccount(
  candidates: [string, unknown][],
  hint: string,
): { ok: true; value: string } | { ok: false; rejection: MappedRecord } {
  for (const [field, value] of candidates) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') return { ok: true, value };
    return {
      ok: false,
      rejection: {
        kind: 'invalid',
        reason: 'wrong_type',
        message: `field ${JSON.stringify(field)} has the wrong type for an account id: expected a string, got ${typeof value}`,
      },
    };
  }
  return {
    ok: false,
    rejection: {
      kind: 'invalid',
      reason: 'missing_field',
      message: `no account id: none of ${candidates.map(([f]) => f).join(', ')} is set; ${hint}`,
    },
  };
}

/** The rejection of a record whose conversation was not logged. */
export function noMessages(where: string, hint: string): MappedRecord {
  return {
    kind: 'invalid',
    reason: 'missing_field',
    message: `missing required field "request.messages": ${where} holds no conversation; ${hint}`,
  };
}
