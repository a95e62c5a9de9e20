export { TLP_IDS, TLP_LEVELS, tlpMarkingDefinition, tlpOf, isGroupRestricted } from './stix/tlp.js';

export { DG_EXTENSION_ID, distillGuardIdentity, readDgExtension } from './stix/extension.js';
export { loadStixOracle } from './stix/stix-oracle.js';

export { keyRingFrom, keyedHash, loadKeyRing } from './match/community-key.js';

export { commercialFieldsIn, defaultPolicy, loadSharingPolicy, policyFrom } from './policy/sharing-policy.js';

export { identityIdFor } from './stix/findings-to-stix.js';
export { atlasAttackPattern } from './stix/attack-pattern-converter.js';

export { exportBundle, readFindingsFile } from './stix/export-bundle.js';
export { checkBundle } from './stix/bundle-check.js';
export { stixObjectProblems } from './stix/object-check.js';
export type { ScoShape } from './stix/sco-properties.js';
export { checkStixPattern, STIX_PATTERN_LIMITS } from './stix/stix-pattern.js';
export { compileStixRegex } from './stix/stix-regex.js';

export { canonicalJson } from './stix/canonical-json.js';
export {
  generateMemberKey,
  loadMemberKey,
  parseSignatureHeader,
  signObjects,
  signatureHeader,
  verifyObjects,
  type MemberSigningKey,
} from './stix/signing.js';

export { TaxiiClient } from './taxii/taxii-client.js';

export { ReceivedIntel } from './taxii/received-intel.js';

export { IntelMatcher } from './match/matcher.js';

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

export { findingsToOcsf, ocsfNdjson } from './ocsf/findings-to-ocsf.js';
