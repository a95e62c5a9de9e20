import { sql, type Kysely } from 'kysely';
import type { HubDatabase, HubMembersTable } from './hub-tables.js';

type Db = Kysely<HubDatabase>;

export type HubMember = HubMembersTable;

export async function insertMember(
  db: Db,
  m: Omit<HubMember, 'created_at'>,
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('hub_members')
    .values({ ...m, created_at: now })
    .execute();
}

export async function updateMember(
  db: Db,
  name: string,
  patch: Partial<Omit<HubMember, 'name' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('hub_members').set(patch).where('name', '=', name).execute();
}

export const getMember = (db: Db, name: string): Promise<HubMember | undefined> =>
  db.selectFrom('hub_members').selectAll().where('name', '=', name).executeTakeFirst();

export const memberNames = async (db: Db): Promise<string[]> =>
  (await db.selectFrom('hub_members').select('name').execute()).map((r) => r.name);
export const getMemberByApiKeyHash = (db: Db, hash: string): Promise<HubMember | undefined> =>
  db.selectFrom('hub_members').selectAll().where('api_key_hash', '=', hash).executeTakeFirst();

export async function insertGroup(
  db: Db,
  name: string,
  membersVisible: boolean,
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('hub_groups')
    .values({ name, members_visible: membersVisible ? 1 : 0, created_at: now })
    .execute();
}

export const getGroup = (db: Db, name: string) =>
  db.selectFrom('hub_groups').selectAll().where('name', '=', name).executeTakeFirst();

export async function addGroupMember(db: Db, group: string, member: string): Promise<void> {
  await db.insertInto('hub_group_members').values({ group_name: group, member_name: member }).execute();
}

export const groupsOf = (db: Db, member: string): Promise<string[]> =>
  membershipNames(db, 'group_name', 'member_name', member);

export const membersOf = (db: Db, group: string): Promise<string[]> =>
  membershipNames(db, 'member_name', 'group_name', group);

/** The `want` side of the membership rows whose `by` side is `value`, sorted. */
async function membershipNames(
  db: Db,
  want: 'group_name' | 'member_name',
  by: 'group_name' | 'member_name',
  value: string,
): Promise<string[]> {
  const rows = await db.selectFrom('hub_group_members').select(want).where(by, '=', value).execute();
  return rows.map((r) => r[want]).sort();
}

export async function insertCollection(
  db: Db,
  c: { id: string; title: string; description?: string },
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('hub_collections')
    .values({ id: c.id, title: c.title, description: c.description ?? null, created_at: now })
    .execute();
}

/** Takes a group's grant on a collection away (nothing happens when it has none). */
export async function revokeCollectionGrant(db: Db, collectionId: string, group: string): Promise<void> {
  await db
    .deleteFrom('hub_collection_grants')
    .where('collection_id', '=', collectionId)
    .where('group_name', '=', group)
    .execute();
}

export async function grantCollection(
  db: Db,
  collectionId: string,
  group: string,
  canRead: boolean,
  canWrite: boolean,
): Promise<void> {
  await revokeCollectionGrant(db, collectionId, group);
  await db
    .insertInto('hub_collection_grants')
    .values({
      collection_id: collectionId,
      group_name: group,
      can_read: canRead ? 1 : 0,
      can_write: canWrite ? 1 : 0,
    })
    .execute();
}

export const getCollection = (db: Db, id: string) =>
  db.selectFrom('hub_collections').selectAll().where('id', '=', id).executeTakeFirst();

export const allCollections = (db: Db) =>
  db.selectFrom('hub_collections').selectAll().orderBy('created_at').orderBy('id').execute();

export const grantsOf = (db: Db, collectionId: string) =>
  db.selectFrom('hub_collection_grants').selectAll().where('collection_id', '=', collectionId).execute();

/**
 * What an access check needs in one round trip: whether the collection exists, the member's
 * groups (sorted) and the collection's grants. Every part is looked up whether or not the
 * collection exists, so an unknown id costs the same as a forbidden one.
 */
export async function accessFacts(
  db: Db,
  collectionId: string,
  member: string,
): Promise<{
  exists: boolean;
  memberGroups: string[];
  grants: { group_name: string; can_read: number; can_write: number }[];
}> {
  const r = await sql<{ k: string; name: string; can_read: number; can_write: number }>`
    select 'c' as k, id as name, 0 as can_read, 0 as can_write from hub_collections where id = ${collectionId}
    union all
    select 'm', group_name, 0, 0 from hub_group_members where member_name = ${member}
    union all
    select 'g', group_name, can_read, can_write from hub_collection_grants where collection_id = ${collectionId}`.execute(
    db,
  );
  const memberGroups: string[] = [];
  const grants: { group_name: string; can_read: number; can_write: number }[] = [];
  let exists = false;
  for (const row of r.rows)
    if (row.k === 'c') exists = true;
    else if (row.k === 'm') memberGroups.push(row.name);
    else
      grants.push({ group_name: row.name, can_read: Number(row.can_read), can_write: Number(row.can_write) });
  return { exists, memberGroups: memberGroups.sort(), grants };
}
