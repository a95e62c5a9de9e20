export { hubMigrations } from './hub-migrations.js';
export type { HubDatabase } from './hub-tables.js';
export { appendHubAudit, verifyHubAudit, listHubAudit } from './audit-chain.js';
export {
  insertMember,
  updateMember,
  getMember,
  getMemberByApiKeyHash,
  memberNames,
  insertGroup,
  getGroup,
  addGroupMember,
  groupsOf,
  membersOf,
  insertCollection,
  grantCollection,
  revokeCollectionGrant,
  getCollection,
  allCollections,
  accessFacts,
} from './membership-store.js';
export type { HubMember } from './membership-store.js';
export {
  insertOwnedHubObjects,
  queryHubObjects,
  deleteHubObjects,
  visiblePublishersOf,
  saveStatus,
  getStatus,
  insertSighting,
  sightingsOfPublisher,
  sighterCountsIn,
} from './object-store.js';
export type { HubObjectPageRow, HubPageColumn } from './object-store.js';
