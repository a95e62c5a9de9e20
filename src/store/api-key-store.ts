import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, CoreDatabase } from './core-tables.js';

type Db = Kysely<CoreDatabase>;
export type ApiKeyRow = Selectable<ApiKeysTable>;

/**
 * An API key as stored: SHA-256 of its UTF-8 bytes, hex. Keys are long and random, so one
 * unsalted hash is a sound at-rest form. The server's keys and the hub's member keys are stored
 * this way, so it is defined here, where both are stored.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export async function insertApiKey(db: Db, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function loadActiveApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('revoked_at', 'is', null).execute();
}

/** The key with this hash, revoked or not (null when none). */
export async function findApiKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | null> {
  return (await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst()) ?? null;
}

export async function revokeApiKey(db: Db, id: string, now = Date.now()): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
