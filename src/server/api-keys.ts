import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../contracts/index.js';
import {
  findApiKeyByHash,
  hashApiKey,
  insertApiKey,
  loadActiveApiKeys,
  revokeApiKey,
  type CoreDb,
} from '../store/index.js';

export const Role = z.enum(['admin', 'analyst', 'ingest', 'enforcement']);
export type Role = z.infer<typeof Role>;

export interface Principal {
  key_id: string;
  name: string;
  role: Role;
}

/** `dg_` + 256 random bits: high entropy, so one SHA-256 is a sound at-rest hash (no salt needed). */
export const generateApiKey = (): string => `dg_${randomBytes(32).toString('base64url')}`;

const KEY_SHAPE = /^dg_[A-Za-z0-9_-]{20,100}$/;

/**
 * The API keys, hashed at rest and looked up in memory by hash. Plain keys exist only in the
 * answer that creates them.
 */
export class KeyRing {
  private readonly byHash = new Map<string, Principal>();

  private constructor(private readonly db: CoreDb) {}

  static async load(db: CoreDb): Promise<KeyRing> {
    const ring = new KeyRing(db);
    for (const k of await loadActiveApiKeys(db))
      ring.byHash.set(k.hash, { key_id: k.id, name: k.name, role: Role.parse(k.role) });
    return ring;
  }

  get size(): number {
    return this.byHash.size;
  }

  authenticate(key: string): Principal | null {
    if (!KEY_SHAPE.test(key)) return null;
    return this.byHash.get(hashApiKey(key)) ?? null;
  }

  /**
   * Installs an admin key the operator configured (DISTILLGUARD_ADMIN_KEY) unless it is already
   * active. A key that was revoked stays revoked: starting with it is refused (fail closed) rather
   * than bringing it back, and one that could never authenticate is refused too.
   */
  async installConfiguredAdmin(key: string): Promise<void> {
    if (!KEY_SHAPE.test(key))
      throw new UserError(
        'INVALID_CONFIG',
        'DISTILLGUARD_ADMIN_KEY must be dg_ followed by 20 to 100 letters, digits, _ or - (e.g. dg_$(openssl rand -hex 32)).',
      );
    if (this.authenticate(key)) return;
    const known = await findApiKeyByHash(this.db, hashApiKey(key));
    if (known)
      throw new UserError(
        'INVALID_CONFIG',
        `DISTILLGUARD_ADMIN_KEY is a key that was revoked (${known.id}); a revoked key is never brought back. Unset it, or set a new key.`,
      );
    await this.create('configured admin', 'admin', key);
  }

  /** Creates a key; `key` (the only copy of the secret) is returned once. */
  async create(
    name: string,
    role: Role,
    key = generateApiKey(),
    now = Date.now(),
  ): Promise<Principal & { key: string }> {
    const id = `key_${randomUUID()}`;
    const hash = hashApiKey(key);
    await insertApiKey(this.db, { id, name, role, hash, created_at: now, revoked_at: null });
    const p: Principal = { key_id: id, name, role };
    this.byHash.set(hash, p);
    return { ...p, key };
  }

  async revoke(keyId: string): Promise<boolean> {
    const ok = await revokeApiKey(this.db, keyId);
    for (const [h, p] of this.byHash) if (p.key_id === keyId) this.byHash.delete(h);
    return ok;
  }

  list(): Principal[] {
    return [...this.byHash.values()];
  }
}
