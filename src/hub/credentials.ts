import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** Passwords are stored as scrypt hashes; API keys as SHA-256 (they are long and random). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32).toString('hex')}`;
}

// Checked against when the member is unknown or has no password, so that costs the same. Random
// salt and hash of scrypt's shape: no scrypt at import, which every CLI command (analyze too) paid.
const DUMMY_HASH = `scrypt$${randomBytes(16).toString('hex')}$${randomBytes(32).toString('hex')}`;

/** checkPassword off the event loop (libuv's pool), so a slow check never stalls other requests. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const m = /^scrypt\$([0-9a-f]+)\$([0-9a-f]+)$/.exec(stored ?? '');
  const [, salt, hash] = m ?? /^scrypt\$([0-9a-f]+)\$([0-9a-f]+)$/.exec(DUMMY_HASH)!;
  const expected = Buffer.from(hash!, 'hex');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, Buffer.from(salt!, 'hex'), expected.length, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return m !== null && timingSafeEqual(expected, actual);
}

export const newApiKey = (): string => `dgh_${randomBytes(24).toString('base64url')}`;
export const newPassword = (): string => randomBytes(18).toString('base64url');
