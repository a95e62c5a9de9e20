export {
  TLP_EXTENSION_ID,
  TLP_IDS,
  TLP_LEVELS,
  tlpMarkingDefinition,
  parseTlp,
  tlpOf,
  isGroupRestricted,
} from './tlp.js';
export type { TlpLevel } from './tlp.js';
export {
  ATLAS_TECHNIQUES,
  DG_EXTENSION_ID,
  distillGuardExtensionDefinition,
  distillGuardIdentity,
  readDgExtension,
} from './extension.js';
export { loadStixOracle, stixSchemaDir } from './stixOracle.js';
export type { StixOracle } from './stixOracle.js';
export { acceptedKeys, keyRingFrom, keyedHash, keyedHashes, keyIdOf, loadKeyRing } from './communityKey.js';
export type { CommunityKey, CommunityKeyRing, KeyedKind } from './communityKey.js';
export { scrub, scrubText } from './scrub.js';
export {
  SharingPolicy,
  applyPolicy,
  commercialFieldsIn,
  defaultPolicy,
  loadPolicy,
  policyFrom,
} from './policy.js';
export type { Withheld } from './policy.js';
export { atlasAttackPattern, findingsToStix, identityIdFor } from './findingsToStix.js';
export type { Publisher } from './findingsToStix.js';
export { dryRunReport, exportBundle, readFindingsFile } from './exportBundle.js';
export { checkBundle } from './bundle-check.js';
export type { ExportResult } from './exportBundle.js';
export { inPrefix, prefixOf } from './network.js';
export { stableId, randomId, stixNow } from './ids.js';
export { canonicalJson } from './canonicalJson.js';
export {
  generateMemberKey,
  loadMemberKey,
  memberKeyToFile,
  parseSignatureHeader,
  signObjects,
  signatureHeader,
  verifyObjects,
} from './signing.js';
export type { MemberSigningKey } from './signing.js';
export {
  PsiFinish,
  PsiResponse,
  PsiStart,
  PsiState,
  psiInitiatorFinish,
  psiRespond,
  psiResponderFinish,
  psiStart,
} from './psi.js';
export { TaxiiClient } from './taxiiClient.js';
export type { HubCredentials, TaxiiPage } from './taxiiClient.js';
export { ReceivedIntel } from './receivedIntel.js';
export { effectiveConfidence, DEFAULT_CONFIDENCE } from './indicatorConfidence.js';
export type { ConfidenceModel } from './indicatorConfidence.js';
export { IntelMatcher, KIND_BENIGN_MATCH } from './matcher.js';
export type { CampaignMatch } from './matcher.js';
export {
  exportToFile,
  hubCredentials,
  matchLocal,
  psiStep,
  pullIntel,
  pushBundle,
  readBundle,
  writeCommunityKey,
  writeMemberKey,
} from './memberWorkflows.js';
export type { ExportFlags, MatchFlags } from './memberWorkflows.js';
