import { createHmac } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../contracts/index.js';
import { readUserFile } from '../../ingest/index.js';

/**
 * Identifiers of people and customers leave only as HMAC-SHA256 under a key the sharing
 * community holds. Each key has an id carried with every hash; during a rotation window both
 * the old and the new key are accepted, so members on either key still match.
 */
export interface CommunityKey {
  id: string;
  secret: Buffer;
  /** Accepted for matching from / until (ISO time); publishing always uses the ring's current key. */
  notBefore?: string | undefined;
  notAfter?: string | undefined;
}

export interface CommunityKeyRing {
  current: CommunityKey;
  keys: CommunityKey[];
}

const KeyFile = z.object({
  current: z.string().min(1),
  keys: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'key id: letters, digits, . _ - only' }),
        secret: z.string().min(1),
        not_before: z.string().optional(),
        not_after: z.string().optional(),
      }),
    )
    .min(1),
});

function decodeSecret(s: string): Buffer {
  const b = /^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0 ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  return b;
}

export function keyRingFrom(input: unknown, source = 'community key file'): CommunityKeyRing {
  const parsed = KeyFile.safeParse(input);
  if (!parsed.success)
    throw new UserError(
      'INVALID_CONFIG',
      `${source} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}. ` +
        'Expected {current: <key id>, keys: [{id, secret (hex or base64, at least 32 bytes), not_before?, not_after?}]}.',
    );
  const keys = parsed.data.keys.map((k) => ({
    id: k.id,
    secret: decodeSecret(k.secret),
    notBefore: k.not_before,
    notAfter: k.not_after,
  }));
  for (const k of keys)
    if (k.secret.length < 32)
      throw new UserError(
        'INVALID_CONFIG',
        `${source}: key ${k.id} is shorter than 32 bytes; use 32 random bytes.`,
      );
  const current = keys.find((k) => k.id === parsed.data.current);
  if (!current)
    throw new UserError(
      'INVALID_CONFIG',
      `${source}: current key "${parsed.data.current}" is not among the keys.`,
    );
  return { current, keys };
}

export function loadKeyRing(file: string): CommunityKeyRing {
  const text = readUserFile(file, 'community key file', 'check the --key path');
  return keyRingFrom(parseYaml(text), file);
}

/** Keys accepted for matching at `at`: inside their window. */
export function acceptedKeys(ring: CommunityKeyRing, at: Date = new Date()): CommunityKey[] {
  const t = at.getTime();
  return ring.keys.filter(
    (k) => (!k.notBefore || Date.parse(k.notBefore) <= t) && (!k.notAfter || Date.parse(k.notAfter) > t),
  );
}

/** Identifier kinds; the kind is part of the MAC input so an e-mail hash never equals a card hash. */
export type KeyedKind = 'email' | 'payment_fingerprint' | 'ip_prefix' | 'email_domain' | 'account' | 'psi';

export function normalizeIdentifier(kind: KeyedKind, value: string): string {
  const v = value.trim();
  return kind === 'email' || kind === 'email_domain' ? v.toLowerCase() : v;
}

/** `hmac-sha256:<key id>:<hex>`. */
export function keyedHash(kind: KeyedKind, value: string, key: CommunityKey): string {
  const mac = createHmac('sha256', key.secret)
    .update(`${kind}\u0000${normalizeIdentifier(kind, value)}`)
    .digest('hex');
  return `hmac-sha256:${key.id}:${mac}`;
}

/** Every hash of `value` a member could have published under an accepted key. */
export function keyedHashes(kind: KeyedKind, value: string, ring: CommunityKeyRing, at?: Date): string[] {
  return acceptedKeys(ring, at).map((k) => keyedHash(kind, value, k));
}
