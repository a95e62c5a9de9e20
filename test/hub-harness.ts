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
import { TAXII_MEDIA, type StixObject } from '../src/contracts/index.js';
import {
  generateMemberKey,
  signatureHeader,
  signObjects,
  type MemberSigningKey,
} from '../src/intel/index.js';
import { hubMigrations, runMigrations, type HubDatabase, type StoreDialect } from '../src/store/index.js';
import { openTestDatabase, type TestDatabase } from './store-harness.js';
import { STIX_TIME, stixObject } from './stix-fixtures.js';

/** Test set-up shared by the hub tests: migrated hub stores, signing members, one shared collection. */

/** A minimal valid STIX indicator of autonomous system 64500 + `i` (its id numbered `i`). */
export const asnIndicator = (i: number, extra: Record<string, unknown> = {}): StixObject =>
  stixObject('indicator', i, {
    pattern: `[autonomous-system:number = ${64500 + i}]`,
    pattern_type: 'stix',
    valid_from: STIX_TIME,
    ...extra,
  });

/**
 * The POST of a member's publish of `objects` to a collection: its API key, its signature over
 * the objects and the TAXII body (`method`, `headers` and `body` for fetch or fastify's inject).
 */
export function signedPublish(apiKey: string, objects: unknown[], signer: MemberSigningKey) {
  return {
    method: 'POST' as const,
    headers: {
      authorization: `Bearer ${apiKey}`,
      accept: TAXII_MEDIA,
      'content-type': TAXII_MEDIA,
      'x-distillguard-signature': signatureHeader(signObjects(objects, signer)),
    },
    body: JSON.stringify({ objects }),
  };
}

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

/** Who shares what on a test hub. */
export interface HubLayout<C extends string = string> {
  /** Admitted with signing keys; `password` fixes a member's password. */
  members: readonly string[];
  password?: (member: string) => string;
  /** Groups by name, in creation order: their members, and whether they see each other. */
  groups: Record<string, { members: readonly string[]; membersVisible?: boolean }>;
  /** Collections by a name the test uses: their title and the groups granted access. */
  collections: Record<C, { title: string; grants: Record<string, { read: boolean; write: boolean }> }>;
}

export interface HubStore<C extends string = string> extends SigningMembers {
  t: TestDatabase<HubDatabase>;
  db: Kysely<HubDatabase>;
  /** Collection ids by the names of the layout. */
  collections: Record<C, string>;
}

/** A migrated hub store on `dialect` set up as `layout` says (no server). */
export async function openHubStore<C extends string>(
  dialect: StoreDialect,
  layout: HubLayout<C>,
): Promise<HubStore<C>> {
  const t = await openTestDatabase<HubDatabase>(dialect);
  const db = t.db;
  await runMigrations(db, hubMigrations);
  const members = await admitSigningMembers(db, layout.members, layout.password);
  for (const [name, g] of Object.entries(layout.groups)) {
    await createGroup(db, name, g.membersVisible ?? false);
    for (const m of g.members) await joinGroup(db, name, m);
  }
  const collections = {} as Record<C, string>;
  for (const name of Object.keys(layout.collections) as C[]) {
    const c = layout.collections[name];
    const id = await createCollection(db, { title: c.title });
    for (const [group, access] of Object.entries(c.grants)) await grantGroup(db, id, group, access);
    collections[name] = id;
  }
  return { ...members, t, db, collections };
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
  const group = opts.group ?? 'providers';
  const { t, keys, creds, collections } = await openHubStore(dialect, {
    members: opts.members,
    groups: { [group]: { members: opts.groupMembers ?? opts.members } },
    collections: {
      shared: {
        title: opts.collectionTitle ?? 'campaigns',
        grants: { [group]: { read: true, write: true } },
      },
    },
  });
  const collection = collections.shared;
  const hub = createHubServer({ db: t.db, ...(opts.maxPage !== undefined ? { maxPage: opts.maxPage } : {}) });
  const base = await hub.listen({ host: '127.0.0.1', port: 0 });
  return {
    keys,
    creds,
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
