import { canarySeparator } from '../respond/index.js';
import { isObject, parseJsonObject, type Endpoint, type Json, type ResponseSummary } from './exchange.js';
import { formatSse, type SseEvent } from './sse.js';

export interface ShapeOptions {
  /** Strip reasoning content and logprobs. */
  degrade: boolean;
  /** Sentence to embed at the end of the answer, or null. */
  canary: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;

/**
 * Reads (and, for degrade or canary, rewrites) one exchange's response, whole or streamed, and
 * keeps what the event records: the visible text, finish reason, usage.
 */
export class ResponseShaper {
  private text = '';
  private finish: string | undefined;
  private usage: { input?: number; output?: number; reasoning?: number } = {};
  private refused: boolean | undefined;
  private canaryPending: boolean;
  private served = false;
  private canaryText = '';
  /** Highest `sequence_number` of a Responses stream so far (an error event continues it). */
  private sequence = -1;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly opts: ShapeOptions,
  ) {
    this.canaryPending = opts.canary !== null;
  }

  get rewrites(): boolean {
    return this.opts.degrade || this.opts.canary !== null;
  }

  /** Whether the canary actually went out (a refusal or an empty answer gets none). */
  get canaryServed(): boolean {
    return this.served;
  }

  summary(): ResponseSummary {
    const s: ResponseSummary = { text: this.text };
    if (this.finish) s.finish_reason = this.finish;
    if (this.usage.input !== undefined) s.input_tokens = this.usage.input;
    if (this.usage.output !== undefined) s.output_tokens = this.usage.output;
    if (this.usage.reasoning !== undefined) s.reasoning_tokens = this.usage.reasoning;
    if (this.refused !== undefined) s.refused = this.refused;
    return s;
  }

  // ---- whole JSON responses ----

  shapeJson(body: Json): Json {
    if (this.endpoint === 'responses') this.shapeResponsesObject(body, true);
    else {
      const choices = Array.isArray(body.choices) ? body.choices : [];
      choices.forEach((c, i) => {
        if (!isObject(c)) return;
        if (this.opts.degrade) delete c.logprobs;
        const msg = this.endpoint === 'chat.completions' && isObject(c.message) ? c.message : null;
        if (msg && this.opts.degrade) {
          delete msg.reasoning_content;
          delete msg.reasoning;
        }
        if (i !== 0) return;
        const key = msg ? 'content' : 'text';
        const holder = msg ?? c;
        const visible = str(holder[key]);
        if (this.canaryPending && canaryFits(visible, c.finish_reason) && !(msg && msg.refusal)) {
          holder[key] = visible + this.takeCanary(visible);
        }
        this.text = str(holder[key]);
        if (typeof c.finish_reason === 'string') this.finish = c.finish_reason;
        if (msg && typeof msg.refusal === 'string' && msg.refusal !== '') this.refused = true;
      });
      this.readUsage(body.usage);
    }
    return body;
  }

  // ---- streams ----

  /** Observe one event of a stream passed through untouched. */
  observe(ev: SseEvent): void {
    if (ev.data === '' || ev.data === '[DONE]') return;
    const obj = parseJsonObject(ev.data);
    if (obj) this.observeObject(obj);
  }

  /**
   * The event that ends a stream the gateway cannot finish (the upstream broke or went silent),
   * in the shape OpenAI's own streams use so SDKs raise it as an API error: `event: error` with
   * `{type: "error", code, message, param, sequence_number}` on the Responses API, a `data:`
   * line with `{error: {...}}` on chat and legacy completions. No `[DONE]` follows.
   */
  streamError(code: string, message: string): string {
    if (this.endpoint === 'responses') {
      const ev = { type: 'error', code, message, param: null, sequence_number: this.sequence + 1 };
      return formatSse(JSON.stringify(ev), 'error');
    }
    return formatSse(JSON.stringify({ error: { message, type: 'api_error', param: null, code } }));
  }

  /** Rewrite one event of a stream; returns the SSE text to send (possibly several events, or none). */
  shape(ev: SseEvent): string {
    if (ev.data === '[DONE]') {
      const pre =
        this.canaryPending && canaryFits(this.text) && this.endpoint !== 'responses'
          ? this.syntheticChunk(null)
          : '';
      return pre + ev.raw;
    }
    const obj = ev.data === '' ? null : parseJsonObject(ev.data);
    if (!obj) return ev.raw;
    return this.endpoint === 'responses' ? this.shapeResponsesEvent(obj, ev) : this.shapeChoiceChunk(obj, ev);
  }

  private last: Json | null = null;

  private shapeChoiceChunk(obj: Json, ev: SseEvent): string {
    let pre = '';
    const choices = Array.isArray(obj.choices) ? obj.choices : [];
    for (const c of choices) {
      if (!isObject(c)) continue;
      if (this.opts.degrade) {
        delete c.logprobs;
        if (isObject(c.delta)) {
          delete c.delta.reasoning_content;
          delete c.delta.reasoning;
        }
      }
      const index = typeof c.index === 'number' ? c.index : 0;
      if (index !== 0 || typeof c.finish_reason !== 'string' || !this.canaryPending) continue;
      // The canary goes in just before choice 0 finishes, as one more content delta. Text that
      // arrives in the finishing chunk itself is sent first, in a copy without the finish reason.
      const holder: Json | null =
        this.endpoint === 'chat.completions' ? (isObject(c.delta) ? c.delta : null) : c;
      const key = this.endpoint === 'chat.completions' ? 'content' : 'text';
      const tail = holder ? str(holder[key]) : '';
      if (!canaryFits(this.text + tail, c.finish_reason)) {
        this.canaryPending = false;
        continue;
      }
      if (tail !== '' && holder) {
        const finish = c.finish_reason;
        c.finish_reason = null;
        const copy = JSON.stringify(obj);
        this.observeObject(JSON.parse(copy) as Json);
        pre += formatSse(copy, ev.event);
        c.finish_reason = finish;
        holder[key] = '';
      }
      pre += this.syntheticChunk(obj);
    }
    this.last = obj;
    this.observeObject(obj);
    return pre + formatSse(JSON.stringify(obj), ev.event);
  }

  private syntheticChunk(template: Json | null): string {
    const base = template ?? this.last ?? {};
    const piece = this.takeCanary(this.text);
    this.text += piece;
    const choice =
      this.endpoint === 'chat.completions'
        ? { index: 0, delta: { content: piece }, finish_reason: null }
        : { index: 0, text: piece, finish_reason: null };
    const chunk: Json = { choices: [choice] };
    for (const k of ['id', 'object', 'created', 'model', 'system_fingerprint'])
      if (k in base) chunk[k] = base[k];
    return formatSse(JSON.stringify(chunk));
  }

  private shapeResponsesEvent(obj: Json, ev: SseEvent): string {
    this.noteSequence(obj);
    const type = str(obj.type);
    if (this.opts.degrade) {
      if (type.startsWith('response.reasoning')) return '';
      if (
        (type === 'response.output_item.added' || type === 'response.output_item.done') &&
        isObject(obj.item) &&
        obj.item.type === 'reasoning'
      ) {
        return '';
      }
      delete obj.logprobs;
    }
    let pre = '';
    if (type === 'response.output_text.done' && this.canaryPending && canaryFits(this.text)) {
      const piece = this.takeCanary(this.text);
      this.canaryText = piece;
      this.text += piece;
      this.canaryItem = str(obj.item_id);
      obj.text = str(obj.text) + piece;
      const delta: Json = { type: 'response.output_text.delta', delta: piece };
      for (const k of ['item_id', 'output_index', 'content_index']) if (k in obj) delta[k] = obj[k];
      pre = formatSse(JSON.stringify(delta), 'response.output_text.delta');
    } else if (
      type === 'response.content_part.done' &&
      this.canaryItem &&
      obj.item_id === this.canaryItem &&
      isObject(obj.part)
    ) {
      if (typeof obj.part.text === 'string') obj.part.text += this.canaryText;
    } else if (
      type === 'response.output_item.done' &&
      this.canaryItem &&
      isObject(obj.item) &&
      obj.item.id === this.canaryItem
    ) {
      this.appendToMessageItem(obj.item);
    } else if (isObject(obj.response)) {
      this.shapeResponsesObject(obj.response, false);
    }
    if (type === 'response.output_text.delta') this.text += str(obj.delta);
    else if (isObject(obj.response)) this.readResponsesMeta(obj.response);
    return pre + formatSse(JSON.stringify(obj), ev.event);
  }

  private canaryItem = '';

  private appendToMessageItem(item: Json): boolean {
    const parts = Array.isArray(item.content) ? item.content : [];
    for (let i = parts.length - 1; i >= 0; i--) {
      const p: unknown = parts[i];
      if (isObject(p) && p.type === 'output_text' && typeof p.text === 'string') {
        p.text += this.canaryText;
        return true;
      }
    }
    return false;
  }

  /** A whole Responses API object (the body, or `response` inside stream events). */
  private shapeResponsesObject(resp: Json, whole: boolean): void {
    if (!Array.isArray(resp.output)) return;
    if (this.opts.degrade)
      resp.output = resp.output.filter((it) => !(isObject(it) && it.type === 'reasoning'));
    const output = resp.output as unknown[];
    if (this.opts.degrade) {
      for (const it of output) {
        if (isObject(it) && Array.isArray(it.content))
          for (const p of it.content) if (isObject(p)) delete p.logprobs;
      }
    }
    if (whole) {
      const visible = output
        .filter((it): it is Json => isObject(it) && it.type === 'message')
        .flatMap((it): unknown[] => (Array.isArray(it.content) ? (it.content as unknown[]) : []))
        .map((p) => (isObject(p) && p.type === 'output_text' ? str(p.text) : ''))
        .join('');
      if (this.canaryPending && canaryFits(visible, resp.status === 'incomplete' ? 'length' : undefined)) {
        this.canaryText = this.takeCanary(visible);
        const msg = [...output].reverse().find((it): it is Json => isObject(it) && it.type === 'message');
        if (msg) this.appendToMessageItem(msg);
        if (typeof resp.output_text === 'string') resp.output_text += this.canaryText;
      }
      this.text = visible + this.canaryText;
      this.readResponsesMeta(resp);
    } else if (this.canaryItem) {
      // response.completed repeats the whole output: keep it consistent with the streamed text.
      const msg = output.find((it): it is Json => isObject(it) && it.id === this.canaryItem);
      if (msg) this.appendToMessageItem(msg);
    }
  }

  private readResponsesMeta(resp: Json): void {
    if (resp.status === 'completed') this.finish = 'stop';
    else if (resp.status === 'incomplete') this.finish = 'length';
    else if (resp.status === 'failed') this.finish = 'error';
    if (isObject(resp.usage)) {
      const u = resp.usage;
      this.usage.input = num(u.input_tokens) ?? this.usage.input;
      this.usage.output = num(u.output_tokens) ?? this.usage.output;
      if (isObject(u.output_tokens_details))
        this.usage.reasoning = num(u.output_tokens_details.reasoning_tokens) ?? this.usage.reasoning;
    }
  }

  private noteSequence(obj: Json): void {
    const n = num(obj.sequence_number);
    if (n !== undefined && n > this.sequence) this.sequence = n;
  }

  private observeObject(obj: Json): void {
    if (this.endpoint === 'responses') {
      this.noteSequence(obj);
      if (obj.type === 'response.output_text.delta') this.text += str(obj.delta);
      else if (isObject(obj.response)) this.readResponsesMeta(obj.response);
      return;
    }
    const choices = Array.isArray(obj.choices) ? obj.choices : [];
    for (const c of choices) {
      if (!isObject(c) || (typeof c.index === 'number' && c.index !== 0)) continue;
      if (this.endpoint === 'chat.completions' && isObject(c.delta)) {
        this.text += str(c.delta.content);
        if (typeof c.delta.refusal === 'string' && c.delta.refusal !== '') this.refused = true;
      } else this.text += str(c.text);
      if (typeof c.finish_reason === 'string') this.finish = c.finish_reason;
    }
    this.readUsage(obj.usage);
  }

  private readUsage(u: unknown): void {
    if (!isObject(u)) return;
    this.usage.input = num(u.prompt_tokens) ?? this.usage.input;
    this.usage.output = num(u.completion_tokens) ?? this.usage.output;
    if (isObject(u.completion_tokens_details)) {
      this.usage.reasoning = num(u.completion_tokens_details.reasoning_tokens) ?? this.usage.reasoning;
    }
  }

  private takeCanary(textSoFar: string): string {
    this.canaryPending = false;
    this.served = true;
    return canarySeparator(textSoFar) + (this.opts.canary ?? '');
  }
}

/**
 * Whether a canary sentence can follow this answer without changing what it is: not an empty or
 * cut-off answer, not a tool call, not JSON, not inside an open code block.
 */
export function canaryFits(text: string, finishReason?: unknown): boolean {
  if (typeof finishReason === 'string' && finishReason !== 'stop' && finishReason !== 'end_turn')
    return false;
  const t = text.trim();
  if (t === '' || t.startsWith('{') || t.startsWith('[')) return false;
  return (t.match(/```/g)?.length ?? 0) % 2 === 0;
}
