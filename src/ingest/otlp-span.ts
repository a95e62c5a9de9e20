/**
 * Maps one OpenTelemetry GenAI span (OTLP/JSON) to an API event object, before validation.
 * Follows the GenAI semantic conventions: v1.37+ attributes (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`), with fall-backs for the older span
 * events (`gen_ai.user.message`, `gen_ai.choice`, ...) and `gen_ai.prompt`/`gen_ai.completion`.
 * docs/ingest.md has the table.
 */

export type Attributes = Map<string, unknown>;

interface OtlpKeyValue {
  key?: unknown;
  value?: unknown;
}

/** Decodes an OTLP/JSON AnyValue into a plain JS value. */
export function anyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return o.stringValue;
  if ('boolValue' in o) return o.boolValue;
  // int64 is a decimal string in OTLP/JSON.
  if ('intValue' in o) return typeof o.intValue === 'string' ? Number(o.intValue) : o.intValue;
  if ('doubleValue' in o) return typeof o.doubleValue === 'string' ? Number(o.doubleValue) : o.doubleValue;
  if ('arrayValue' in o) {
    const values = (o.arrayValue as { values?: unknown[] } | undefined)?.values;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if ('kvlistValue' in o) {
    const values = (o.kvlistValue as { values?: unknown[] } | undefined)?.values;
    return Object.fromEntries(attributes(values));
  }
  if ('bytesValue' in o) return o.bytesValue;
  return undefined;
}

export function attributes(list: unknown, into: Attributes = new Map()): Attributes {
  if (!Array.isArray(list)) return into;
  for (const kv of list as OtlpKeyValue[]) {
    if (kv && typeof kv.key === 'string') into.set(kv.key, anyValue(kv.value));
  }
  return into;
}

export interface SpanContext {
  resource: Attributes;
  accountAttribute?: string;
}

export type SpanMapping =
  { kind: 'event'; event: Record<string, unknown> } | { kind: 'skip' } | { kind: 'invalid'; message: string };

const NOT_INFERENCE = new Set(['embeddings', 'execute_tool', 'create_agent']);
const ENDPOINT: Record<string, string> = { chat: 'chat.completions', text_completion: 'completions' };
export const DEFAULT_ACCOUNT_ATTRIBUTES = ['enduser.id', 'user.id'];

export function mapSpan(span: unknown, ctx: SpanContext): SpanMapping {
  if (span === null || typeof span !== 'object' || Array.isArray(span)) {
    return { kind: 'invalid', message: 'span is not a JSON object' };
  }
  const s = span as Record<string, unknown>;
  const attrs = attributes(s.attributes, new Map(ctx.resource));
  const events = Array.isArray(s.events) ? (s.events as Record<string, unknown>[]) : [];
  const isGenAi =
    [...attrs.keys()].some((k) => k.startsWith('gen_ai.')) ||
    events.some((e) => typeof e?.name === 'string' && e.name.startsWith('gen_ai.'));
  const op = str(attrs.get('gen_ai.operation.name'));
  if (!isGenAi || (op !== undefined && NOT_INFERENCE.has(op))) return { kind: 'skip' };

  const event: Record<string, unknown> = {};
  const traceId = str(s.traceId);
  const spanId = str(s.spanId);
  if (traceId && spanId) event.id = `${traceId}-${spanId}`;
  else if (str(attrs.get('gen_ai.response.id'))) event.id = str(attrs.get('gen_ai.response.id'));
  const ts = nanosToIso(s.startTimeUnixNano);
  if (ts !== undefined) event.ts = ts;
  else if (s.startTimeUnixNano !== undefined) event.ts = s.startTimeUnixNano;

  const accountKeys = ctx.accountAttribute ? [ctx.accountAttribute] : DEFAULT_ACCOUNT_ATTRIBUTES;
  for (const k of accountKeys) {
    const v = attrs.get(k);
    if (v !== undefined && v !== '') {
      event.account_id = typeof v === 'string' ? v : JSON.stringify(v);
      break;
    }
  }
  if (event.account_id === undefined) {
    return {
      kind: 'invalid',
      message: `span has no account attribute (looked for ${accountKeys.join(', ')}); name the attribute with --otlp-account-attr`,
    };
  }
  const model = attrs.get('gen_ai.response.model') ?? attrs.get('gen_ai.request.model');
  if (model !== undefined) event.model = model;
  if (op !== undefined) event.endpoint = ENDPOINT[op] ?? op;
  put(event, 'client', 'ip', attrs.get('client.address'));
  put(event, 'client', 'user_agent', attrs.get('user_agent.original'));
  put(
    event,
    'client',
    'country',
    attrs.get('client.geo.country.iso_code') ?? attrs.get('geo.country.iso_code'),
  );

  event.request = spanRequest(attrs, events);
  const response = spanResponse(attrs, events);
  if (response) event.response = response;
  const usage = spanUsage(attrs);
  if (usage) event.usage = usage;
  return { kind: 'event', event };
}

/** The request: input messages, conversation id and sampling parameters. */
function spanRequest(attrs: Attributes, events: Record<string, unknown>[]): Record<string, unknown> {
  const request: Record<string, unknown> = { messages: inputMessages(attrs, events) };
  const conversation = attrs.get('gen_ai.conversation.id');
  if (conversation !== undefined) request.conversation_id = conversation;
  const params: Record<string, unknown> = {};
  setIf(params, 'temperature', attrs.get('gen_ai.request.temperature'));
  setIf(params, 'top_p', attrs.get('gen_ai.request.top_p'));
  setIf(params, 'max_tokens', attrs.get('gen_ai.request.max_tokens'));
  setIf(params, 'n', attrs.get('gen_ai.request.choice.count'));
  if (Object.keys(params).length > 0) request.params = params;
  return request;
}

/** The response text and finish reason, when the span has either. */
function spanResponse(
  attrs: Attributes,
  events: Record<string, unknown>[],
): Record<string, unknown> | undefined {
  const output = outputMessage(attrs, events);
  const finish = attrs.get('gen_ai.response.finish_reasons');
  const finishReason = Array.isArray(finish) ? str(finish[0]) : (str(finish) ?? output.finishReason);
  const response: Record<string, unknown> = {};
  setIf(response, 'text', output.text);
  setIf(response, 'finish_reason', finishReason);
  return Object.keys(response).length > 0 ? response : undefined;
}

/** Input and output token counts (either naming convention), when the span has them. */
function spanUsage(attrs: Attributes): Record<string, unknown> | undefined {
  const usage: Record<string, unknown> = {};
  setIf(
    usage,
    'input_tokens',
    attrs.get('gen_ai.usage.input_tokens') ?? attrs.get('gen_ai.usage.prompt_tokens'),
  );
  setIf(
    usage,
    'output_tokens',
    attrs.get('gen_ai.usage.output_tokens') ?? attrs.get('gen_ai.usage.completion_tokens'),
  );
  return Object.keys(usage).length > 0 ? usage : undefined;
}

interface Msg {
  role: string;
  content: string;
}

function inputMessages(attrs: Attributes, events: Record<string, unknown>[]): Msg[] {
  const out: Msg[] = [];
  const system = partsText(parseMaybeJson(attrs.get('gen_ai.system_instructions')));
  if (system) out.push({ role: 'system', content: system });
  // v1.37+: one JSON attribute holding the chat history.
  const input = parseMaybeJson(attrs.get('gen_ai.input.messages'));
  if (Array.isArray(input)) {
    for (const m of input as Record<string, unknown>[]) out.push(messageFrom(m));
    return out;
  }
  // Up to v1.36: one span event per message.
  for (const e of events) {
    const role = LEGACY_EVENT_ROLE[str(e?.name) ?? ''];
    if (!role) continue;
    const ea = attributes(e.attributes);
    const roleAttr = str(ea.get('role'));
    out.push({
      role: roleAttr ?? role,
      content: contentOf(ea.get('content') ?? ea.get('gen_ai.event.content')),
    });
  }
  if (out.length > 0) return out;
  // Older still: a prompt attribute on the span or on a gen_ai.content.prompt event.
  const promptEvent = events.find((e) => e?.name === 'gen_ai.content.prompt');
  const prompt = attrs.get('gen_ai.prompt') ?? attributes(promptEvent?.attributes).get('gen_ai.prompt');
  const parsed = parseMaybeJson(prompt);
  if (Array.isArray(parsed)) return (parsed as Record<string, unknown>[]).map(messageFrom);
  if (typeof prompt === 'string') return [{ role: 'user', content: prompt }];
  // OpenLLMetry style: gen_ai.prompt.0.role / gen_ai.prompt.0.content.
  for (let i = 0; attrs.has(`gen_ai.prompt.${i}.content`); i++) {
    out.push({
      role: str(attrs.get(`gen_ai.prompt.${i}.role`)) ?? 'user',
      content: contentOf(attrs.get(`gen_ai.prompt.${i}.content`)),
    });
  }
  return out;
}

const LEGACY_EVENT_ROLE: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

function outputMessage(
  attrs: Attributes,
  events: Record<string, unknown>[],
): { text?: string; finishReason?: string } {
  const output = parseMaybeJson(attrs.get('gen_ai.output.messages'));
  if (Array.isArray(output) && output.length > 0) {
    const first = output[0] as Record<string, unknown>;
    return {
      text: partsText(first.parts) ?? contentOf(first.content),
      finishReason: str(first.finish_reason),
    };
  }
  const choice = events.find((e) => e?.name === 'gen_ai.choice');
  if (choice) {
    const ca = attributes(choice.attributes);
    const message = parseMaybeJson(ca.get('message'));
    const content =
      message && typeof message === 'object'
        ? (message as Record<string, unknown>).content
        : ca.get('content');
    return { text: contentOf(content), finishReason: str(ca.get('finish_reason')) };
  }
  const completionEvent = events.find((e) => e?.name === 'gen_ai.content.completion');
  const completion =
    attrs.get('gen_ai.completion') ?? attributes(completionEvent?.attributes).get('gen_ai.completion');
  const parsed = parseMaybeJson(completion);
  if (Array.isArray(parsed) && parsed.length > 0) {
    return { text: contentOf((parsed[0] as Record<string, unknown>).content) };
  }
  if (typeof completion === 'string') return { text: completion };
  const indexed = attrs.get('gen_ai.completion.0.content');
  if (indexed !== undefined) {
    return { text: contentOf(indexed), finishReason: str(attrs.get('gen_ai.completion.0.finish_reason')) };
  }
  return {};
}

function messageFrom(m: Record<string, unknown>): Msg {
  const role = typeof m?.role === 'string' ? m.role : (m?.role as string);
  return { role, content: partsText(m?.parts) ?? contentOf(m?.content) };
}

/** Joins the text parts of a v1.37 `parts` array; other part types are named, not dropped. */
function partsText(parts: unknown): string | undefined {
  if (!Array.isArray(parts)) return typeof parts === 'string' ? parts : undefined;
  const texts: string[] = [];
  for (const p of parts as Record<string, unknown>[]) {
    if (p?.type === 'text' && typeof p.content === 'string') texts.push(p.content);
    else if (typeof p?.type === 'string') texts.push(`[${p.type}]`);
  }
  return texts.join('\n');
}

function contentOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  const parsed = parseMaybeJson(v);
  if (parsed && typeof parsed === 'object' && typeof (parsed as { content?: unknown }).content === 'string') {
    return (parsed as { content: string }).content;
  }
  return JSON.stringify(v);
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trimStart();
  if (!t.startsWith('[') && !t.startsWith('{')) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function nanosToIso(v: unknown): string | undefined {
  let ms: number;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) ms = Number(BigInt(v) / 1_000_000n);
  // A JSON number past 2^53 has lost its nanoseconds, not its milliseconds.
  else if (typeof v === 'number' && Number.isFinite(v)) ms = Math.floor(v / 1e6);
  else return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) || ms <= 0 ? undefined : d.toISOString();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function setIf(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

function put(event: Record<string, unknown>, group: string, k: string, v: unknown): void {
  if (v === undefined) return;
  const g = (event[group] ??= {}) as Record<string, unknown>;
  g[k] = v;
}
