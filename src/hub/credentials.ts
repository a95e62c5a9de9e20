import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** Passwords are stored as scrypt hashes; API keys as SHA-256 (they are long and random). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32).toString('hex')}`;
}

export function checkPassword(password: string, stored: string | null): boolean {
  const m = /^scrypt\$([0-9a-f]+)\$([0-9a-f]+)$/.exec(stored ?? '');
  if (!m) return false;
  const expected = Buffer.from(m[2]!, 'hex');
  const actual = scryptSync(password, Buffer.from(m[1]!, 'hex'), expected.length);
  return timingSafeEqual(expected, actual);
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
export const newApiKey = (): string => `dgh_${randomBytes(24).toString('base64url')}`;
export const newPassword = (): string => randomBytes(18).toString('base64url');
