import type { AccountRecord, ApiEvent, Message, RequestParams, TruthAccount } from '../contracts/index.js';
import { casualAnswer, reasoningAnswer, tokensOf } from './answers.js';
import { MODEL_NEW } from './models.js';
import type { Endpoint } from './networks.js';
import type { Rng } from './rng.js';

/** One request/response as a behaviour produces it; the scheduler adds id, time and account. */
export interface Exchange {
  model: string;
  endpoint: string;
  client: Endpoint & { user_agent: string };
  apiKeyId: string;
  endUserId?: string;
  messages: Message[];
  conversationId?: string;
  params?: RequestParams;
  response: { text: string; reasoning_tokens?: number; finish_reason: string; refused?: boolean };
  usage: { input_tokens: number; output_tokens: number };
}

export interface SimAccount {
  record: AccountRecord;
  truth: TruthAccount;
}

const REFUSALS = [
  "I'm sorry, but I can't help with that.",
  "I can't assist with that request.",
  'Sorry, I cannot help with this. If you have another question, I am happy to help.',
];

/** How long and what kind of answer a request gets. */
export type AnswerKind = 'casual' | 'long' | 'reasoning' | 'label' | 'tool';

export interface Answer {
  response: Exchange['response'];
  usage: Exchange['usage'];
}

export function answer(
  kind: AnswerKind,
  model: string,
  messages: readonly Message[],
  params: RequestParams | undefined,
  rng: Rng,
  labelText?: string,
): Answer {
  let inputTokens = 8;
  for (const m of messages)
    inputTokens += 4 + tokensOf(typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
  let text: string;
  let out: number;
  let finish = 'stop';
  switch (kind) {
    case 'label':
      text = labelText ?? 'neutral';
      out = tokensOf(text);
      break;
    case 'tool':
      text = '';
      out = Math.round(rng.logNormal(40, 0.4));
      finish = 'tool_calls';
      break;
    case 'reasoning':
      text = reasoningAnswer(rng);
      out = Math.round(rng.logNormal(900, 0.5));
      break;
    case 'long':
      text = casualAnswer(rng);
      out = Math.round(rng.logNormal(550, 0.5));
      break;
    default:
      text = casualAnswer(rng);
      out = Math.round(rng.logNormal(220, 0.7));
  }
  const n = params?.n ?? 1;
  out *= n;
  const cap = params?.max_tokens;
  if (cap !== undefined && out > cap * n) {
    out = cap * n;
    finish = 'length';
  }
  const response: Exchange['response'] = { text, finish_reason: finish };
  // A small share of ordinary requests trip the safety layer, whoever sends them.
  if (kind !== 'label' && kind !== 'tool' && rng.chance(0.006)) {
    response.text = rng.pick(REFUSALS);
    response.refused = true;
    response.finish_reason = rng.chance(0.3) ? 'content_filter' : 'stop';
    out = Math.min(out, rng.int(12, 60));
  }
  // The new flagship thinks before answering; hidden reasoning grows with how hard the request is.
  if (model === MODEL_NEW) {
    response.reasoning_tokens =
      kind === 'label' ? rng.int(0, 30) : Math.round(rng.logNormal(kind === 'reasoning' ? 1400 : 300, 0.6));
  }
  return { response, usage: { input_tokens: inputTokens, output_tokens: Math.max(1, out) } };
}

const labelCache = new WeakMap<SimAccount, NonNullable<ApiEvent['labels']>>();

function labelsOf(account: SimAccount): NonNullable<ApiEvent['labels']> {
  let labels = labelCache.get(account);
  if (!labels) {
    labels = { role: account.truth.role };
    if (account.truth.actor) labels.actor = account.truth.actor;
    if (account.truth.campaign) labels.campaign = account.truth.campaign;
    labelCache.set(account, labels);
  }
  return labels;
}

/** The event record in its published field order (literal objects: this runs per event). */
export function eventRecord(id: string, ts: number, account: SimAccount, x: Exchange): ApiEvent {
  const request: ApiEvent['request'] = { messages: x.messages };
  if (x.conversationId) request.conversation_id = x.conversationId;
  if (x.params && hasKeys(x.params)) request.params = x.params;
  const c = x.client;
  const client = { ip: c.ip, asn: c.asn, country: c.country, user_agent: c.user_agent };
  const iso = isoTime(ts);
  const labels = labelsOf(account);
  const accountId = account.record.account_id;
  // One literal, so every event has the same shape; end_user_id is undefined when the account has
  // none, which JSON leaves out, so the published line is unchanged.
  return {
    id,
    ts: iso,
    account_id: accountId,
    api_key_id: x.apiKeyId,
    end_user_id: x.endUserId,
    model: x.model,
    endpoint: x.endpoint,
    client,
    request,
    response: x.response,
    usage: x.usage,
    labels,
  };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

let isoDay = Number.NaN;
let isoPrefix = '';

/** `Date#toISOString` with the date part cached: events arrive in time order, a day at a time. */
export function isoTime(ts: number): string {
  const day = Math.floor(ts / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let ms = ts - day * 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const sec = Math.floor(ms / 1000);
  ms -= sec * 1000;
  return `${isoPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${ms < 100 ? (ms < 10 ? '00' : '0') : ''}${ms}Z`;
}
