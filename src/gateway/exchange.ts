import type {
  ApiEvent,
  ContentPart,
  DecisionAction,
  Message,
  MessageRole,
  RequestParams,
} from '../contracts/index.js';
import type { Caller } from './accounts.js';

export type Endpoint = 'chat.completions' | 'responses' | 'completions';

/** Which model endpoint a request path names (query string ignored), or null for anything else. */
export function endpointOf(method: string, url: string): Endpoint | null {
  if (method !== 'POST') return null;
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) return 'chat.completions';
  if (path.endsWith('/responses')) return 'responses';
  if (path.endsWith('/completions')) return 'completions';
  return null;
}

let isoSecond = -1;
let isoPrefix = '';
/**
 * `new Date().toISOString()`, with the part up to the second made once per second: formatting a
 * date was one of the larger items of a request's own CPU. Exact for years 0000 to 9999.
 */
export function isoNow(ms = Date.now()): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond || ms < 0 || ms >= 253402300800000) {
    const iso = new Date(ms).toISOString();
    if (ms < 0 || ms >= 253402300800000) return iso;
    isoSecond = second;
    isoPrefix = iso.slice(0, 20);
  }
  const milli = ms - second * 1000;
  return `${isoPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object, or null for anything else (other JSON values, or text that does not parse). */
export function parseJsonObject(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

const ROLES = new Set<string>(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function toContent(content: unknown): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p): ContentPart => {
      if (typeof p === 'string') return { type: 'text', text: p };
      if (!isObject(p)) return { type: 'unknown' };
      const type = typeof p.type === 'string' ? p.type : 'unknown';
      return typeof p.text === 'string' ? { type, text: p.text } : { type };
    });
  }
  return content === null || content === undefined ? '' : JSON.stringify(content);
}

function toMessage(m: unknown): Message | null {
  if (!isObject(m)) return null;
  const role = (typeof m.role === 'string' && ROLES.has(m.role) ? m.role : 'user') as MessageRole;
  return { role, content: toContent(m.content) };
}

/** The conversation as the spec records it; never empty (the spec requires one message). */
export function requestMessages(endpoint: Endpoint, body: Json): Message[] {
  const out: Message[] = [];
  if (endpoint === 'chat.completions' && Array.isArray(body.messages)) {
    for (const m of body.messages) {
      const msg = toMessage(m);
      if (msg) out.push(msg);
    }
  } else if (endpoint === 'responses') {
    if (typeof body.instructions === 'string') out.push({ role: 'system', content: body.instructions });
    if (typeof body.input === 'string') out.push({ role: 'user', content: body.input });
    else if (Array.isArray(body.input)) {
      for (const item of body.input) {
        if (isObject(item) && item.type === 'function_call_output') {
          out.push({ role: 'tool', content: toContent(item.output) });
        } else if (isObject(item) && 'role' in item) {
          const msg = toMessage(item);
          if (msg) out.push(msg);
        }
      }
    }
  } else if (endpoint === 'completions') {
    const p = Array.isArray(body.prompt)
      ? body.prompt.filter((x) => typeof x === 'string').join('\n')
      : body.prompt;
    out.push({ role: 'user', content: typeof p === 'string' ? p : '' });
  }
  if (out.length === 0) out.push({ role: 'user', content: '' });
  return out;
}

/** The last user message as plain text: what a probe would ask again. */
export function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return m.content.map((p) => p.text ?? '').join('\n');
  }
  return '';
}

const nonNegNumber = (v: unknown): number | undefined =>
  typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : undefined;
const nonNegInt = (v: unknown): number | undefined =>
  Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined;

export function requestParams(endpoint: Endpoint, body: Json): RequestParams {
  const p: RequestParams = {};
  const temperature = nonNegNumber(body.temperature);
  if (temperature !== undefined) p.temperature = temperature;
  const topP = nonNegNumber(body.top_p);
  if (topP !== undefined && topP <= 1) p.top_p = topP;
  const maxTokens = nonNegInt(body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens);
  if (maxTokens !== undefined) p.max_tokens = maxTokens;
  const n = nonNegInt(body.n);
  if (n !== undefined && n >= 1) p.n = n;
  // Legacy completions take logprobs as a count; chat takes a boolean.
  if (typeof body.logprobs === 'boolean') p.logprobs = body.logprobs;
  else if (typeof body.logprobs === 'number') p.logprobs = body.logprobs > 0;
  const top = nonNegInt(body.top_logprobs ?? (endpoint === 'completions' ? body.logprobs : undefined));
  if (top !== undefined) p.top_logprobs = top;
  if (typeof body.stream === 'boolean') p.stream = body.stream;
  if (Array.isArray(body.tools)) p.tools = body.tools.length;
  return p;
}

/** What the model answered, gathered from a whole JSON body or a stream. */
export interface ResponseSummary {
  text: string;
  finish_reason?: string;
  reasoning_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  refused?: boolean;
}

export interface GatewayAnnotation {
  /** The decision enforced on this exchange; `refuse` for conflicting credentials. */
  action: DecisionAction | 'refuse';
  status: number;
  watch?: boolean;
  canary_id?: string;
  degraded?: boolean;
  upstream_error?: string;
  /** The client left (or was cut off for not reading) before its answer was complete. */
  client_aborted?: boolean;
  /** ...because it stopped reading for the idle timeout, not because it disconnected. */
  client_stalled?: boolean;
  latency_ms?: number;
  /** Why the request was refused (the decision's reason); never sent to the caller. */
  reason?: string;
  /** The random reference the refused caller was given, to find this event by. */
  support_reference?: string;
  /** Content was cut to fit the server's line limit (marked in the text itself). */
  truncated?: boolean;
  /** Messages left out when even the conversation's structure was over the line limit. */
  messages_omitted?: number;
}

export interface EventInput {
  id: string;
  ts: string;
  caller: Caller;
  endpoint: Endpoint;
  body: Json;
  messages: Message[];
  clientIp?: string;
  userAgent?: string;
  summary?: ResponseSummary;
  gateway: GatewayAnnotation;
}

const MAX_TEXT = 64 * 1024;

/** One exchange as an API event (shared/spec/api-event.md); `gateway` is an extra, kept field. */
export function buildEvent(x: EventInput): ApiEvent {
  const ev: ApiEvent = {
    id: x.id,
    ts: x.ts,
    account_id: x.caller.account_id,
    model: typeof x.body.model === 'string' && x.body.model !== '' ? x.body.model.slice(0, 200) : 'unknown',
    endpoint: x.endpoint,
    request: { messages: x.messages, params: requestParams(x.endpoint, x.body) },
    gateway: x.gateway,
  };
  if (x.caller.api_key_id) ev.api_key_id = x.caller.api_key_id;
  if (typeof x.body.user === 'string' && x.body.user !== '') ev.end_user_id = x.body.user.slice(0, 200);
  if (x.clientIp || x.userAgent) {
    ev.client = {};
    if (x.clientIp) ev.client.ip = x.clientIp.slice(0, 64);
    if (x.userAgent) ev.client.user_agent = x.userAgent.slice(0, 1000);
  }
  const s = x.summary;
  if (s) {
    ev.response = { text: s.text.length > MAX_TEXT ? s.text.slice(0, MAX_TEXT) : s.text };
    if (s.finish_reason) ev.response.finish_reason = s.finish_reason;
    if (s.reasoning_tokens !== undefined) ev.response.reasoning_tokens = s.reasoning_tokens;
    if (s.refused !== undefined) ev.response.refused = s.refused;
    if (s.input_tokens !== undefined || s.output_tokens !== undefined) {
      ev.usage = {};
      if (s.input_tokens !== undefined) ev.usage.input_tokens = s.input_tokens;
      if (s.output_tokens !== undefined) ev.usage.output_tokens = s.output_tokens;
    }
  }
  return ev;
}

export { nonNegInt };
