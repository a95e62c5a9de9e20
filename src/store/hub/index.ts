export { hubMigrations } from './migrations.js';
export type * from './tables.js';
export { appendHubAudit, verifyHubAudit, listHubAudit, auditHash, AUDIT_GENESIS } from './auditChain.js';
export type { AuditVerification, HubAuditInput } from './auditChain.js';
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
  getCollection,
  allCollections,
  grantsOf,
} from './membershipStore.js';
export type { HubMember } from './membershipStore.js';
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
} from './objectStore.js';
export type { HubObjectRow, NewHubObject, ObjectQuery, OwnedInsert } from './objectStore.js';
