import type { Kysely } from 'kysely';
import { getCollection, grantsOf, groupsOf, type HubDatabase } from '../store/index.js';

/** TLP levels whose objects are served only inside the group they were published through. */
export const RESTRICTED_TLPS = ['red', 'amber+strict'];

export interface CollectionAccess {
  exists: boolean;
  canRead: boolean;
  canWrite: boolean;
  memberGroups: string[];
  /** The member's groups that may write here; the first is the one objects are stored under. */
  writeGroups: string[];
  /** Every group that may read the collection. */
  readerGroups: string[];
}

export async function collectionAccess(
  db: Kysely<HubDatabase>,
  collectionId: string,
  member: string,
): Promise<CollectionAccess> {
  const collection = await getCollection(db, collectionId);
  const memberGroups = await groupsOf(db, member);
  // Looked up even for an unknown id: the same queries whether or not the collection exists.
  const grants = await grantsOf(db, collectionId);
  if (!collection)
    return {
      exists: false,
      canRead: false,
      canWrite: false,
      memberGroups,
      writeGroups: [],
      readerGroups: [],
    };
  {
    const mineGrants = grants.filter((g) => memberGroups.includes(g.group_name));
    return {
      exists: true,
      canRead: mineGrants.some((g) => g.can_read === 1),
      canWrite: mineGrants.some((g) => g.can_write === 1),
      memberGroups,
      writeGroups: mineGrants
        .filter((g) => g.can_write === 1)
        .map((g) => g.group_name)
        .sort(),
      readerGroups: grants
        .filter((g) => g.can_read === 1)
        .map((g) => g.group_name)
        .sort(),
    };
  }
}
