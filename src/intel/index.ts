export {
  TLP_EXTENSION_ID,
  TLP_IDS,
  TLP_LEVELS,
  tlpMarkingDefinition,
  parseTlp,
  tlpOf,
  isGroupRestricted,
} from './stix/tlp.js';
export type { TlpLevel } from './stix/tlp.js';
export {
  ATLAS_TECHNIQUES,
  DG_EXTENSION_ID,
  distillGuardExtensionDefinition,
  distillGuardIdentity,
  readDgExtension,
} from './stix/extension.js';
export { loadStixOracle, stixSchemaDir } from './stix/stix-oracle.js';
export type { StixOracle } from './stix/stix-oracle.js';
export { acceptedKeys, keyRingFrom, keyedHash, keyedHashes, loadKeyRing } from './match/community-key.js';
export type { CommunityKey, CommunityKeyRing, KeyedKind } from './match/community-key.js';
export { scrub, scrubText } from './policy/scrub.js';
export {
  SharingPolicy,
  applyPolicy,
  commercialFieldsIn,
  defaultPolicy,
  loadSharingPolicy,
  policyFrom,
} from './policy/sharing-policy.js';
export type { Withheld } from './policy/sharing-policy.js';
export { findingsToStix, identityIdFor } from './stix/findings-to-stix.js';
export { atlasAttackPattern } from './stix/attack-pattern-converter.js';
export type { Publisher } from './stix/findings-to-stix.js';
export { dryRunReport, exportBundle, readFindingsFile } from './stix/export-bundle.js';
export { checkBundle } from './stix/bundle-check.js';
export type { ExportResult } from './stix/export-bundle.js';
export { stableId, randomId, stixNow } from './stix/ids.js';
export { canonicalJson } from './stix/canonical-json.js';
export {
  generateMemberKey,
  loadMemberKey,
  memberKeyToFile,
  parseSignatureHeader,
  signObjects,
  signatureHeader,
  verifyObjects,
} from './stix/signing.js';
export type { MemberSigningKey } from './stix/signing.js';
export {
  PsiFinish,
  PsiResponse,
  PsiStart,
  PsiState,
  psiInitiatorFinish,
  psiRespond,
  psiResponderFinish,
  psiStart,
} from './policy/psi.js';
export { TaxiiClient } from './taxii/taxii-client.js';
export type { HubCredentials, TaxiiPage } from './taxii/taxii-client.js';
export { ReceivedIntel } from './taxii/received-intel.js';
export { effectiveConfidence, DEFAULT_CONFIDENCE } from './match/indicator-confidence.js';
export type { ConfidenceModel } from './match/indicator-confidence.js';
export { IntelMatcher, KIND_BENIGN_MATCH } from './match/matcher.js';
export type { CampaignMatch } from './match/matcher.js';
export {
  exportToFile,
  hubCredentials,
  hubSightings,
  matchLocal,
  psiStep,
  pullIntel,
  pushBundle,
  readBundle,
  validateBundleFile,
  writeCommunityKey,
  writeMemberKey,
} from './taxii/member-workflows.js';
export type { ExportFlags, MatchFlags } from './taxii/member-workflows.js';
