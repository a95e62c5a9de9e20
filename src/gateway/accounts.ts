import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../contracts/index.js';
import { readUserYaml } from '../ingest/index.js';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

const KeyEntry = z
  .looseObject({
    key_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i)
      .optional(),
    key: z.string().min(1).optional(),
    account_id: z.string().min(1),
  })
  .refine((e) => e.key_sha256 !== undefined || e.key !== undefined, { message: 'needs key_sha256 (or key)' });
const KeysFile = z.union([z.record(z.string(), z.string()), z.array(KeyEntry)]);

export interface Caller {
  account_id: string;
  /** Never the key itself: `kh:` and the first 16 hex digits of its SHA-256. */
  api_key_id?: string;
}

export interface AccountResolverOptions {
  /** SHA-256 (hex) of an API key -> account id. */
  keyHashes?: Map<string, string>;
  /** Accept `X-Account-Id` from an auth layer in front of the gateway. Off unless that layer strips it from clients. */
  trustAccountHeader?: boolean;
}

/** Headers an upstream may take a key from: OpenAI/Basic, Azure, Anthropic-style, Gemini. */
const KEY_HEADERS = ['api-key', 'x-api-key', 'x-goog-api-key'] as const;
/** Query parameters some upstreams take a key from. */
const KEY_PARAMS = ['key', 'api-key', 'api_key'] as const;

/**
 * The keys in one Authorization value. Basic: the password, or the user when the password is
 * empty; the user too when it is a key we know (`known`), whatever the password, so a known key
 * cannot hide in the user part for an upstream that reads it there. Any other scheme (or none):
 * every token after it, so `Bearer K junk` is two keys and is refused rather than guessed.
 */
function keysOfAuthorization(value: string, known: (key: string) => boolean): string[] {
  const v = value.trim();
  // The common case, `Bearer <key>`: what the split below gives for it, without the split.
  const bearer = BEARER_ONE.exec(v);
  if (bearer) return [bearer[1]!];
  const basic = /^basic\s+(\S+)$/i.exec(v);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
    const pass = colon === -1 ? '' : decoded.slice(colon + 1).trim();
    const out = [pass || user];
    if (pass && user && known(user)) out.push(user);
    return out.filter((k) => k !== '');
  }
  const tokens = v.split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 1) return /^(bearer|basic)$/i.test(tokens[0]!) ? [] : tokens;
  return tokens.slice(1);
}

const BEARER_ONE = /^bearer\s+(\S+)$/i;

const KEY_HEADER_NAMES = new Set<string>(['authorization', ...KEY_HEADERS]);

/**
 * The headers a key can be in, every value of each (as `headersDistinct` has them), taken from
 * the raw name/value list: building `headersDistinct` copies every header of every request.
 */
export function keyHeaders(rawHeaders: readonly string[]): Record<string, string[] | undefined> {
  const out: Record<string, string[] | undefined> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Cheap filter first: every key header name is 7 to 14 characters long.
    if (name.length < 7 || name.length > 14) continue;
    const lower = name.toLowerCase();
    if (!KEY_HEADER_NAMES.has(lower)) continue;
    (out[lower] ??= []).push(rawHeaders[i + 1]!);
  }
  return out;
}

/**
 * Every distinct key a request presents, wherever an upstream might read one: the Authorization
 * header (any scheme, Basic included), `api-key`, `x-api-key`, `x-goog-api-key`, and the `key`,
 * `api-key`, `api_key` query parameters. A blocked key moved to another place is still the key.
 */
export function presentedKeys(
  headers: Record<string, string[] | undefined>,
  url: string,
  known: (key: string) => boolean = () => false,
): string[] {
  const auth = headers.authorization;
  // One Authorization header and no other place a key can be: its keys as they are (a set of at
  // most one key is that key), without the set and the query parse.
  if (
    auth?.length === 1 &&
    url.indexOf('?') === -1 &&
    KEY_HEADERS.every((name) => headers[name] === undefined)
  ) {
    const ks = keysOfAuthorization(auth[0]!, known);
    if (ks.length <= 1) return ks;
  }
  const keys = new Set<string>();
  for (const v of auth ?? []) for (const k of keysOfAuthorization(v, known)) keys.add(k);
  for (const name of KEY_HEADERS)
    for (const v of headers[name] ?? []) if (v.trim() !== '') keys.add(v.trim());
  const q = url.indexOf('?');
  if (q !== -1) {
    const params = new URLSearchParams(url.slice(q + 1));
    for (const name of KEY_PARAMS)
      for (const v of params.getAll(name)) if (v.trim() !== '') keys.add(v.trim());
  }
  return [...keys];
}

/**
 * Who is calling. Order: a trusted `X-Account-Id` header; the key's hash in the keys file;
 * else the key's hash itself (`key:<16 hex>`), so unknown keys are still recorded and can still be
 * decided on; no key at all is `anonymous`. Two different keys in one request resolve to nobody
 * (`null`): the gateway cannot know which one the upstream will use, so it refuses (fail closed).
 */
export class AccountResolver {
  private readonly keyHashes: Map<string, string>;
  private readonly memo = new Map<string, Caller>();

  constructor(private readonly opts: AccountResolverOptions = {}) {
    this.keyHashes = opts.keyHashes ?? new Map<string, string>();
  }

  static fromFile(path: string, trustAccountHeader = false): AccountResolver {
    const raw = readUserYaml(path, 'keys file', 'check --keys');
    const parsed = KeysFile.safeParse(raw);
    if (!parsed.success) {
      throw new UserError(
        'INVALID_CONFIG',
        `keys file ${path}: expected {"<sha256 of key>": "<account_id>"} or [{key_sha256, account_id}]`,
      );
    }
    const map = new Map<string, string>();
    if (Array.isArray(parsed.data)) {
      for (const e of parsed.data)
        map.set(e.key_sha256?.toLowerCase() ?? sha256Hex(e.key ?? ''), e.account_id);
    } else {
      for (const [hash, account] of Object.entries(parsed.data)) {
        if (!/^[0-9a-f]{64}$/i.test(hash)) {
          throw new UserError(
            'INVALID_CONFIG',
            `keys file ${path}: "${hash.slice(0, 12)}..." is not a SHA-256 hex digest of a key`,
          );
        }
        map.set(hash.toLowerCase(), account);
      }
    }
    return new AccountResolver({ keyHashes: map, trustAccountHeader });
  }

  /** Whether this key is in the keys file. */
  knows(key: string): boolean {
    return this.keyHashes.has(sha256Hex(key));
  }

  resolve(keys: readonly string[], accountHeader: string | undefined): Caller | null {
    if (keys.length > 1) return null;
    const key = keys[0] ?? '';
    const headerAccount = this.opts.trustAccountHeader && accountHeader ? accountHeader.trim() : '';
    if (key === '') return { account_id: headerAccount || 'anonymous' };
    const memoKey = `${headerAccount}\u0000${key}`;
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const hash = sha256Hex(key);
    const caller: Caller = {
      account_id: headerAccount || this.keyHashes.get(hash) || `key:${hash.slice(0, 16)}`,
      api_key_id: `kh:${hash.slice(0, 16)}`,
    };
    // Hashing every request costs a few microseconds; a bounded memo keeps the hot path cheap.
    if (this.memo.size > 100_000) this.memo.clear();
    this.memo.set(memoKey, caller);
    return caller;
  }
}
