export { createHubServer } from './hub-server.js';

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
