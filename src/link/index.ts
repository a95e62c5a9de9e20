export {
  LINK_WEIGHTS,
  accountAttributes,
  attrKey,
  accountValuesUsed,
  clusterLinks,
  linkAccounts,
  type LinkageResult,
} from './linkage.js';
export { synchronisedPairs, type SyncLink } from './synchronised-activity.js';
export { linkPopulation, type PopulationLinkage } from './population-linkage.js';
export { coordinatedGroups, coordinationResults } from './complementary-coverage.js';
export type { CoordinationEvidence } from './complementary-coverage.js';
