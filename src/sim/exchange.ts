import type { AccountRecord, ApiEvent, Message, RequestParams, TruthAccount } from '../schema/index.js';
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
  // The new flagship thinks before answering; hidden reasoning grows with how hard the request is.
  if (model === MODEL_NEW) {
    response.reasoning_tokens =
      kind === 'label' ? rng.int(0, 30) : Math.round(rng.logNormal(kind === 'reasoning' ? 1400 : 300, 0.6));
  }
  return { response, usage: { input_tokens: inputTokens, output_tokens: Math.max(1, out) } };
}

/** The event record in its published field order. */
export function eventRecord(id: string, ts: number, account: SimAccount, x: Exchange): ApiEvent {
  const request: ApiEvent['request'] = { messages: x.messages };
  if (x.conversationId) request.conversation_id = x.conversationId;
  if (x.params && Object.keys(x.params).length > 0) request.params = x.params;
  const event: ApiEvent = {
    id,
    ts: new Date(ts).toISOString(),
    account_id: account.record.account_id,
    api_key_id: x.apiKeyId,
    ...(x.endUserId ? { end_user_id: x.endUserId } : {}),
    model: x.model,
    endpoint: x.endpoint,
    client: {
      ip: x.client.ip,
      asn: x.client.asn,
      country: x.client.country,
      user_agent: x.client.user_agent,
    },
    request,
    response: x.response,
    usage: x.usage,
    labels: {
      role: account.truth.role,
      ...(account.truth.actor ? { actor: account.truth.actor } : {}),
      ...(account.truth.campaign ? { campaign: account.truth.campaign } : {}),
    },
  };
  return event;
}
