export { hubMigrations } from './hub-migrations.js';
export type * from './hub-tables.js';
export { appendHubAudit, verifyHubAudit, listHubAudit, auditHash, AUDIT_GENESIS } from './audit-chain.js';
export type { AuditVerification, HubAuditInput } from './audit-chain.js';
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
  grantsOf,
  accessFacts,
} from './membership-store.js';
export type { HubMember } from './membership-store.js';
export {
  insertHubObjects,
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
export type {
  HubObjectPageRow,
  HubPageColumn,
  HubObjectRow,
  NewHubObject,
  ObjectQuery,
  OwnedInsert,
} from './object-store.js';
