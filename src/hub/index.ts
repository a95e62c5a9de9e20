export { createHubServer } from './hub-server.js';
export type { HubAuthStats, HubServerOptions } from './hub-server.js';
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
} from './hub-admin.js';
export type { NewMemberCredentials } from './hub-admin.js';
