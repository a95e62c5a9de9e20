import type { Json, MappedRecord } from './log-record.js';
import {
  contentId,
  isObject,
  jsonObject,
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
 * Cloudflare AI Gateway logs pushed by Logpush (dataset `ai_gateway_events`,
 * developers.cloudflare.com/logs/logpush/logpush-job/datasets/account/ai_gateway_events/).
 * Logpush encrypts RequestBody and ResponseBody with the gateway's public key; they must be
 * decrypted (Cloudflare documents how) before the conversation can be read.
 */
export function looksLikeCloudflare(r: Json): boolean {
  return typeof r.Gateway === 'string' && (r.Provider !== undefined || r.RequestBody !== undefined);
}

/** Metadata keys (the `cf-aig-metadata` header) that may name the account, in order. */
export const CLOUDFLARE_ACCOUNT_KEYS = [
  'account_id',
  'accountId',
  'user_id',
  'userId',
  'team_id',
  'customer_id',
];

export function mapCloudflare(r: Json, raw: () => string): MappedRecord[] {
  const meta = jsonObject(r.Metadata);
  const account = pickAccount(
    CLOUDFLARE_ACCOUNT_KEYS.map((k) => [`Metadata.${k}`, meta[k]]),
    'send it in the cf-aig-metadata header, e.g. {"account_id": "..."}',
  );
  if (!account.ok) return [account.rejection];
  for (const field of ['RequestBody', 'ResponseBody'] as const) {
    const body = r[field];
    if (isObject(body) && body.type === 'encrypted') {
      return [
        {
          kind: 'invalid',
          reason: 'encrypted_payload',
          message: `field "${field}" is encrypted by Logpush; decrypt the log with the gateway's private key first (docs/ingest.md)`,
        },
      ];
    }
  }
  const body = maybeJson(r.RequestBody);
  const messages = toMessages(body);
  if (!messages)
    return [noMessages('RequestBody', 'keep payload logging on (cf-aig-collect-log-payload: true)')];
  const event: Json = {
    id: contentId('cloudflare', raw()),
    ts: toTimestamp(r.Timestamp),
    account_id: account.value,
    model: text(r.Model) ?? text(r.RequestedModel) ?? (isObject(body) ? body.model : undefined),
  };
  put(event, 'end_user_id', isObject(body) ? text(body.user) : undefined);
  put(
    event,
    'endpoint',
    typeof r.Endpoint === 'string' ? r.Endpoint.replace(/^\/+/, '').replaceAll('/', '.') : undefined,
  );
  putExchange(event, { messages, params: toParams(body) }, toResponse(r.ResponseBody));
  return [{ kind: 'event', event }];
}
