import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  addGroupMember,
  appendHubAudit,
  getCollection,
  getGroup,
  getMember,
  grantCollection,
  groupsOf,
  hubMigrations,
  insertCollection,
  insertGroup,
  insertMember,
  membersOf,
  openDatabase,
  runMigrations,
  updateMember,
  type HubDatabase,
  type OpenDatabaseOptions,
  hashApiKey,
} from '../store/index.js';
import { UserError } from '../contracts/index.js';
import { hashPassword, newApiKey, newPassword } from './credentials.js';

/** Opens (and migrates) the hub's database: SQLite by default, PostgreSQL by DISTILLGUARD_DATABASE_URL. */
export async function openHubDatabase(opts: OpenDatabaseOptions = {}): Promise<Kysely<HubDatabase>> {
  const db = openDatabase<HubDatabase>({ dataDir: 'data/hub', ...opts });
  await runMigrations(db, hubMigrations);
  return db;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
function checkName(kind: string, name: string): void {
  if (!NAME.test(name))
    throw new UserError(
      'INVALID_ARGUMENT',
      `${kind} name "${name}" must be 1-64 letters, digits, dot, underscore or dash.`,
    );
}

export interface NewMemberCredentials {
  member: string;
  password: string;
  apiKey: string;
}

/** Admits a member organisation; returns its credentials once (only hashes are stored). */
export async function admitMember(
  db: Kysely<HubDatabase>,
  name: string,
  opts: { publicKeyHex?: string; keyId?: string; discloseSightings?: boolean; password?: string } = {},
): Promise<NewMemberCredentials> {
  checkName('Member', name);
  if (await getMember(db, name)) throw new UserError('CONFLICT', `Member ${name} already exists.`);
  if (opts.publicKeyHex && !/^[0-9a-f]{64}$/.test(opts.publicKeyHex))
    throw new UserError('INVALID_ARGUMENT', 'The signing public key must be 32 bytes of hex (ed25519).');
  const password = opts.password ?? newPassword();
  const apiKey = newApiKey();
  await insertMember(db, {
    name,
    password_hash: hashPassword(password),
    api_key_hash: hashApiKey(apiKey),
    signing_key_id: opts.publicKeyHex ? (opts.keyId ?? `${name}-ed25519-1`) : null,
    signing_public_key: opts.publicKeyHex ?? null,
    disclose_sightings: opts.discloseSightings ? 1 : 0,
  });
  await appendHubAudit(db, { actor: 'operator', action: 'member.admit', detail: { member: name } });
  return { member: name, password, apiKey };
}

export async function registerSigningKey(
  db: Kysely<HubDatabase>,
  member: string,
  publicKeyHex: string,
  keyId: string,
): Promise<void> {
  if (!(await getMember(db, member)))
    throw new UserError('NOT_FOUND', `No member ${member}; admit it first.`);
  if (!/^[0-9a-f]{64}$/.test(publicKeyHex))
    throw new UserError('INVALID_ARGUMENT', 'The signing public key must be 32 bytes of hex (ed25519).');
  await updateMember(db, member, { signing_public_key: publicKeyHex, signing_key_id: keyId });
  await appendHubAudit(db, { actor: 'operator', action: 'member.key', detail: { member, key_id: keyId } });
}

/** Sets (or generates) a member's password; returns it once. The old one stops working at once. */
export async function setMemberPassword(
  db: Kysely<HubDatabase>,
  member: string,
  password: string = newPassword(),
): Promise<string> {
  if (!(await getMember(db, member))) throw new UserError('NOT_FOUND', `No member ${member}.`);
  await updateMember(db, member, { password_hash: hashPassword(password) });
  await appendHubAudit(db, { actor: 'operator', action: 'member.password', detail: { member } });
  return password;
}

/** Issues a new API key; returns it once. The old one stops working at once. */
export async function rotateMemberApiKey(db: Kysely<HubDatabase>, member: string): Promise<string> {
  if (!(await getMember(db, member))) throw new UserError('NOT_FOUND', `No member ${member}.`);
  const apiKey = newApiKey();
  await updateMember(db, member, { api_key_hash: hashApiKey(apiKey) });
  await appendHubAudit(db, { actor: 'operator', action: 'member.api-key', detail: { member } });
  return apiKey;
}

/** Removes a member's password and API key: nothing it presents authenticates any more. */
export async function revokeMemberCredentials(db: Kysely<HubDatabase>, member: string): Promise<void> {
  if (!(await getMember(db, member))) throw new UserError('NOT_FOUND', `No member ${member}.`);
  await updateMember(db, member, { password_hash: null, api_key_hash: null });
  await appendHubAudit(db, { actor: 'operator', action: 'member.revoke', detail: { member } });
}

export async function createGroup(
  db: Kysely<HubDatabase>,
  name: string,
  membersVisible = false,
): Promise<void> {
  checkName('Group', name);
  if (await getGroup(db, name)) throw new UserError('CONFLICT', `Group ${name} already exists.`);
  await insertGroup(db, name, membersVisible);
  await appendHubAudit(db, {
    actor: 'operator',
    action: 'group.create',
    detail: { group: name, members_visible: membersVisible },
  });
}

export async function joinGroup(db: Kysely<HubDatabase>, group: string, member: string): Promise<void> {
  if (!(await getGroup(db, group))) throw new UserError('NOT_FOUND', `No group ${group}; create it first.`);
  if (!(await getMember(db, member)))
    throw new UserError('NOT_FOUND', `No member ${member}; admit it first.`);
  if ((await groupsOf(db, member)).includes(group)) return;
  await addGroupMember(db, group, member);
  await appendHubAudit(db, { actor: 'operator', action: 'group.join', detail: { group, member } });
}

export async function createCollection(
  db: Kysely<HubDatabase>,
  c: { title: string; description?: string; id?: string },
): Promise<string> {
  const id = c.id ?? randomUUID();
  if (await getCollection(db, id)) throw new UserError('CONFLICT', `Collection ${id} already exists.`);
  await insertCollection(db, {
    id,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
  });
  await appendHubAudit(db, {
    actor: 'operator',
    action: 'collection.create',
    detail: { collection: id, title: c.title },
  });
  return id;
}

export async function grantGroup(
  db: Kysely<HubDatabase>,
  collectionId: string,
  group: string,
  access: { read: boolean; write: boolean },
): Promise<void> {
  if (!(await getCollection(db, collectionId)))
    throw new UserError('NOT_FOUND', `No collection ${collectionId}.`);
  if (!(await getGroup(db, group))) throw new UserError('NOT_FOUND', `No group ${group}.`);
  await grantCollection(db, collectionId, group, access.read, access.write);
  await appendHubAudit(db, {
    actor: 'operator',
    action: 'collection.grant',
    detail: { collection: collectionId, group, ...access },
  });
}

export { membersOf };
