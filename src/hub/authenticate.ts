import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { getMember, getMemberByApiKeyHash, type HubDatabase, type HubMember } from '../store/index.js';
import { checkPassword, hashApiKey } from './credentials.js';

export type AuthResult = { ok: true; member: HubMember } | { ok: false; reason: string };

/** HTTP Basic (member name + password), `Authorization: Bearer <api key>` or `X-API-Key`. */
export async function authenticate(db: Kysely<HubDatabase>, req: FastifyRequest): Promise<AuthResult> {
  const header = req.headers.authorization;
  const apiKey =
    (req.headers['x-api-key'] as string | undefined) ??
    /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ??
    undefined;
  if (apiKey) {
    const m = await getMemberByApiKeyHash(db, hashApiKey(apiKey));
    return m ? { ok: true, member: m } : { ok: false, reason: 'The API key is not known to this hub.' };
  }
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'Basic credentials must be member:password.' };
    const m = await getMember(db, text.slice(0, colon));
    if (m && checkPassword(text.slice(colon + 1), m.password_hash)) return { ok: true, member: m };
    return { ok: false, reason: 'The member name or password is wrong.' };
  }
  return {
    ok: false,
    reason: 'No credentials: use HTTP Basic (member:password) or an API key (Authorization: Bearer).',
  };
}
