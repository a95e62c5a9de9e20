import type { Kysely } from 'kysely';
import { accessFacts, type HubDatabase } from '../store/index.js';

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
  // One query: whether it exists, the member's groups and the collection's grants.
  const { exists, memberGroups, grants } = await accessFacts(db, collectionId, member);
  if (!exists)
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
