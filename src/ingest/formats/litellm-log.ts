import type { Json, MappedRecord } from './log-record.js';
import {
  at,
  contentId,
  isObject,
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
 * LiteLLM proxy logs: the StandardLoggingPayload (what every LiteLLM logging callback receives,
 * docs.litellm.ai/docs/proxy/logging_spec) and rows of the LiteLLM_SpendLogs table (the proxy's
 * spend log, `/spend/logs`). One record is one call.
 */
export function looksLikeLitellm(r: Json): boolean {
  return typeof r.call_type === 'string' && (r.startTime !== undefined || r.spend !== undefined);
}

// Calls that are not a model answering a conversation: read, counted as skipped, not events.
const NOT_INFERENCE =
  /^a?(embedding|image_generation|image_edit|moderation|transcription|speech|rerank|create_file|file_|create_batch|retrieve_batch|vector_store)/;

const ENDPOINTS: Record<string, string> = {
  completion: 'chat.completions',
  acompletion: 'chat.completions',
  text_completion: 'completions',
  atext_completion: 'completions',
  responses: 'responses',
  aresponses: 'responses',
  anthropic_messages: 'messages',
};

export function mapLitellm(r: Json, raw: () => string): MappedRecord[] {
  const callType = r.call_type as string;
  if (NOT_INFERENCE.test(callType)) return [{ kind: 'skip' }];
  const meta = isObject(r.metadata) ? r.metadata : {};
  const account = pickAccount(
    [
      ['metadata.user_api_key_user_id', meta.user_api_key_user_id],
      ['user', r.user],
      ['metadata.user_api_key_team_id', meta.user_api_key_team_id],
      ['team_id', r.team_id],
      ['metadata.user_api_key_org_id', meta.user_api_key_org_id],
      ['metadata.user_api_key_hash', meta.user_api_key_hash],
      ['api_key', r.api_key],
    ],
    'LiteLLM logs the key, its user, team and org for calls made with a virtual key',
  );
  if (!account.ok) return [account.rejection];
  const messages = toMessages(r.messages) ?? toMessages(at(r, 'proxy_server_request'));
  if (!messages) {
    return [
      noMessages(
        'the LiteLLM record',
        'turn on store_prompts_in_spend_logs (spend logs) or keep messages in the logging payload',
      ),
    ];
  }
  const event: Json = {
    id: text(r.id) ?? text(r.request_id) ?? contentId('litellm', raw()),
    ts: toTimestamp(r.startTime),
    account_id: account.value,
    model: text(r.model) ?? text(r.model_group) ?? r.model,
  };
  put(event, 'api_key_id', text(meta.user_api_key_hash) ?? text(r.api_key));
  put(event, 'end_user_id', text(r.end_user) ?? text(meta.user_api_key_end_user_id));
  put(event, 'endpoint', ENDPOINTS[callType] ?? callType);
  const ip = text(r.requester_ip_address) ?? text(meta.requester_ip_address);
  if (ip !== undefined) event.client = { ip };
  putExchange(
    event,
    {
      messages,
      conversationId: text(r.session_id) ?? text(r.trace_id),
      params: toParams(r.model_parameters) ?? toParams(at(r, 'proxy_server_request')),
    },
    toResponse(r.response),
    r.prompt_tokens,
    r.completion_tokens,
  );
  return [{ kind: 'event', event }];
}
