export { createHubServer } from './hubServer.js';
export type { HubAuthStats, HubServerOptions } from './hubServer.js';
export {
  openHubDatabase,
  admitMember,
  registerSigningKey,
  setMemberPassword,
  rotateMemberApiKey,
  revokeMemberCredentials,
  createGroup,
  joinGroup,
  createCollection,
  grantGroup,
} from './hubAdmin.js';
export type { NewMemberCredentials } from './hubAdmin.js';
export { TAXII_MEDIA, STIX_MEDIA } from './taxiiMedia.js';
export { verifyHubAudit, listHubAudit } from '../store/index.js';
