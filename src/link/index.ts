export {
  LINK_WEIGHTS,
  accountAttributes,
  attrKey,
  accountValuesUsed,
  clusterLinks,
  linkAccounts,
} from './linkage.js';
export type { LinkageResult } from './linkage.js';
export { synchronisedPairs } from './synchronised-activity.js';
export type { SyncLink } from './synchronised-activity.js';
export { linkPopulation } from './population-linkage.js';
export type { PopulationLinkage } from './population-linkage.js';
export { coordinatedGroups, coordinationResults } from './complementary-coverage.js';
export type { CoordinationEvidence } from './complementary-coverage.js';
