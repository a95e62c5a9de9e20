import type { Json, MappedRecord } from './log-record.js';
import {
  at,
  contentId,
  isObject,
  maybeJson,
  noMessages,
  pickAccount,
  put,
  putExchange,
  text,
  toMessages,
  toParams,
  toResponse,
  toTimestamp,
} from './log-record.js';

/**
 * Kong Gateway's log serializer (what the http-log, file-log and tcp-log plugins send) with the
 * `ai` block the AI Proxy plugins add (developer.konghq.com/ai-gateway/ai-audit-log-reference/):
 * `ai.proxy.payload.request|response`, `ai.proxy.usage`, `ai.proxy.meta`. The older layout
 * (Kong 3.6–3.8: `ai.payload.request`, `ai.<plugin>.usage.prompt_token`) is read too.
 */
export function looksLikeKong(r: Json): boolean {
  return isObject(r.ai) && (r.started_at !== undefined || r.client_ip !== undefined || isObject(r.route));
}

/** The AI plugin's block: `ai.proxy`, else the first block under `ai` holding usage or meta. */
function aiBlock(ai: Json): Json {
  if (isObject(ai.proxy)) return ai.proxy;
  for (const v of Object.values(ai)) if (isObject(v) && (isObject(v.usage) || isObject(v.meta))) return v;
  return {};
}

const ENDPOINT_PATHS: [RegExp, string][] = [
  [/chat\/completions\/?$/, 'chat.completions'],
  [/\/completions\/?$/, 'completions'],
  [/\/responses\/?$/, 'responses'],
  [/\/messages\/?$/, 'messages'],
];

export function mapKong(r: Json, raw: () => string): MappedRecord[] {
  const ai = r.ai as Json;
  const block = aiBlock(ai);
  const consumer = isObject(r.consumer) ? r.consumer : {};
  const account = pickAccount(
    [
      ['consumer.username', consumer.username],
      ['consumer.custom_id', consumer.custom_id],
      ['consumer.id', consumer.id],
    ],
    'attach an authentication plugin (key-auth, jwt, ...) so Kong logs the consumer',
  );
  if (!account.ok) return [account.rejection];
  const body = maybeJson(at(block, 'payload', 'request') ?? at(ai, 'payload', 'request'));
  const messages = toMessages(body);
  if (!messages)
    return [noMessages('ai.proxy.payload.request', 'turn on logging.log_payloads in the AI Proxy plugin')];
  const meta = isObject(block.meta) ? block.meta : {};
  const usage = isObject(block.usage) ? block.usage : {};
  const request = isObject(r.request) ? r.request : {};
  const headers = isObject(request.headers) ? request.headers : {};
  const event: Json = {
    id: text(request.id) ?? text(headers['x-kong-request-id']) ?? contentId('kong', raw()),
    ts: toTimestamp(r.started_at),
    account_id: account.value,
    model: text(meta.response_model) ?? text(meta.request_model) ?? (isObject(body) ? body.model : undefined),
  };
  put(event, 'api_key_id', text(at(r, 'authenticated_entity', 'id')));
  put(event, 'end_user_id', isObject(body) ? text(body.user) : undefined);
  const uri = text(request.uri) ?? '';
  put(event, 'endpoint', ENDPOINT_PATHS.find(([re]) => re.test(uri.split('?')[0]!))?.[1]);
  const client: Json = {};
  put(client, 'ip', text(r.client_ip));
  put(client, 'user_agent', text(headers['user-agent']));
  if (Object.keys(client).length > 0) event.client = client;
  putExchange(
    event,
    { messages, params: toParams(body) },
    toResponse(at(block, 'payload', 'response')),
    usage.prompt_tokens ?? usage.prompt_token,
    usage.completion_tokens ?? usage.completion_token,
  );
  return [{ kind: 'event', event }];
}
