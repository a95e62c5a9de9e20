export {
  LINK_WEIGHTS,
  accountAttributes,
  attrKey,
  clusterLinks,
  linkAccounts,
  type Attribute,
  type LinkageResult,
} from './linkage.js';
export { synchronisedPairs, type SyncLink } from './synchronised-activity.js';
export { linkPopulation, type PopulationLinkage } from './population-linkage.js';
export { COORDINATION_DETECTORS, coordinationResults } from './complementary-coverage.js';
