import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Kysely } from 'kysely';
import {
  admitMember,
  createCollection,
  createGroup,
  createHubServer,
  grantGroup,
  joinGroup,
} from '../src/hub/index.js';
import type { StixObject } from '../src/contracts/index.js';
import { generateMemberKey, type MemberSigningKey } from '../src/intel/index.js';
import { hubMigrations, runMigrations, type HubDatabase, type StoreDialect } from '../src/store/index.js';
import { openTestDatabase, type TestDatabase } from './store-harness.js';

/** Test set-up shared by the hub tests: migrated hub stores, signing members, one shared collection. */

/** A minimal valid STIX indicator of autonomous system 64500 + `i` (its id numbered `i`). */
export const asnIndicator = (i: number, extra: Record<string, unknown> = {}): StixObject => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern: `[autonomous-system:number = ${64500 + i}]`,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00.000Z',
  ...extra,
});

export interface SigningMembers {
  keys: Record<string, MemberSigningKey>;
  creds: Record<string, { apiKey: string; password: string }>;
}

/** Admits each member with a fresh ed25519 signing key; `password` fixes a member's password. */
export async function admitSigningMembers(
  db: Kysely<HubDatabase>,
  names: readonly string[],
  password?: (member: string) => string,
): Promise<SigningMembers> {
  const keys: SigningMembers['keys'] = {};
  const creds: SigningMembers['creds'] = {};
  for (const m of names) {
    const key = generateMemberKey(m);
    keys[m] = key;
    creds[m] = await admitMember(db, m, {
      publicKeyHex: Buffer.from(key.publicKey).toString('hex'),
      keyId: key.keyId,
      ...(password ? { password: password(m) } : {}),
    });
  }
  return { keys, creds };
}

export interface SharingHub extends SigningMembers {
  t: TestDatabase<HubDatabase>;
  hub: FastifyInstance;
  /** The collection the group may read and write. */
  collection: string;
  /** The listening server's address (`http://127.0.0.1:port`). */
  base: string;
  /** The TAXII API root under `base`. */
  apiRoot: string;
  close(): Promise<void>;
}

/**
 * A migrated hub store on `dialect` whose `members` are admitted with signing keys; those in
 * `groupMembers` (default: all) share one group that may read and write one collection; the hub
 * server listens on a free local port.
 */
export async function openSharingHub(
  dialect: StoreDialect,
  opts: {
    members: readonly string[];
    groupMembers?: readonly string[];
    group?: string;
    collectionTitle?: string;
    maxPage?: number;
  },
): Promise<SharingHub> {
  const t = await openTestDatabase<HubDatabase>(dialect);
  await runMigrations(t.db, hubMigrations);
  const members = await admitSigningMembers(t.db, opts.members);
  const group = opts.group ?? 'providers';
  await createGroup(t.db, group);
  for (const m of opts.groupMembers ?? opts.members) await joinGroup(t.db, group, m);
  const collection = await createCollection(t.db, { title: opts.collectionTitle ?? 'campaigns' });
  await grantGroup(t.db, collection, group, { read: true, write: true });
  const hub = createHubServer({ db: t.db, ...(opts.maxPage !== undefined ? { maxPage: opts.maxPage } : {}) });
  const base = await hub.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...members,
    t,
    hub,
    collection,
    base,
    apiRoot: `${base}/api1/`,
    async close() {
      await hub.close();
      await t.dispose();
    },
  };
}

/**
 * `openSharingHub` for the enclosing `describe`: opened before its tests, closed after them. The
 * object returned is filled in by the time the tests run.
 */
export function useSharingHub(dialect: StoreDialect, opts: Parameters<typeof openSharingHub>[1]): SharingHub {
  const h = {} as SharingHub;
  beforeAll(async () => {
    Object.assign(h, await openSharingHub(dialect, opts));
  });
  afterAll(async () => {
    await h.close?.();
  });
  return h;
}
