import { ed25519 } from '@noble/curves/ed25519.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { BundleSignature } from '../../contracts/index.js';
import { UserError } from '../../contracts/index.js';
import { readUserFile } from '../../ingest/index.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Members sign what they publish with ed25519. The signature is detached: it covers the
 * canonical JSON of the bundle's `objects` (the part the hub stores), travels beside the
 * bundle (a `.sig` file, or the `X-DistillGuard-Signature` header), and the hub checks it
 * against the key the member registered.
 */
export interface MemberSigningKey {
  member: string;
  keyId: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

const MemberKeyFile = z.object({
  member: z.string().min(1),
  key_id: z.string().min(1),
  secret_key: z.string().regex(/^[0-9a-f]{64}$/, { message: '32-byte hex' }),
  public_key: z.string().regex(/^[0-9a-f]{64}$/, { message: '32-byte hex' }),
});

export function generateMemberKey(member: string, keyId = `${member}-ed25519-1`): MemberSigningKey {
  const { secretKey, publicKey } = ed25519.keygen();
  return { member, keyId, secretKey, publicKey };
}

export const memberKeyToFile = (k: MemberSigningKey): z.infer<typeof MemberKeyFile> => ({
  member: k.member,
  key_id: k.keyId,
  secret_key: Buffer.from(k.secretKey).toString('hex'),
  public_key: Buffer.from(k.publicKey).toString('hex'),
});

export function loadMemberKey(file: string): MemberSigningKey {
  const text = readUserFile(file, 'signing key file', 'create one with "distillguard intel keygen"');
  const parsed = MemberKeyFile.safeParse(parseYaml(text));
  if (!parsed.success)
    throw new UserError(
      'INVALID_CONFIG',
      `Signing key file ${file} needs member, key_id, secret_key and public_key (hex).`,
    );
  const secretKey = Buffer.from(parsed.data.secret_key, 'hex');
  const publicKey = Buffer.from(parsed.data.public_key, 'hex');
  if (!Buffer.from(ed25519.getPublicKey(secretKey)).equals(publicKey))
    throw new UserError(
      'INVALID_CONFIG',
      `Signing key file ${file}: public_key does not belong to secret_key.`,
    );
  return { member: parsed.data.member, keyId: parsed.data.key_id, secretKey, publicKey };
}

const message = (objects: readonly unknown[]): Uint8Array => new TextEncoder().encode(canonicalJson(objects));

export function signObjects(objects: readonly unknown[], key: MemberSigningKey): BundleSignature {
  return {
    alg: 'ed25519',
    member: key.member,
    key_id: key.keyId,
    signed: 'objects',
    value: Buffer.from(ed25519.sign(message(objects), key.secretKey)).toString('base64'),
  };
}

export function verifyObjects(
  objects: readonly unknown[],
  sig: BundleSignature,
  publicKey: Uint8Array,
): boolean {
  try {
    return ed25519.verify(Buffer.from(sig.value, 'base64'), message(objects), publicKey);
  } catch {
    return false;
  }
}

/** The signature as one HTTP header value: `ed25519 member=<m>; key_id=<k>; sig=<base64>`. */
export function signatureHeader(sig: BundleSignature): string {
  return `ed25519 member=${encodeURIComponent(sig.member)}; key_id=${encodeURIComponent(sig.key_id)}; sig=${sig.value}`;
}

export function parseSignatureHeader(header: string | undefined): BundleSignature | undefined {
  const m = /^ed25519 member=([^;]+); key_id=([^;]+); sig=([A-Za-z0-9+/]+=*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return {
    alg: 'ed25519',
    member: decodeURIComponent(m[1]!),
    key_id: decodeURIComponent(m[2]!),
    signed: 'objects',
    value: m[3]!,
  };
}
