export {
  CanaryGenerator,
  CONTROL_SUBJECT_PREFIX,
  DEFAULT_CANARIES_PER_SUBJECT,
  frameElicitationPrompts,
  normalizeForMatch,
  type Canary,
} from './generator.js';
export { matchCanary, type CanaryMatch } from './match.js';
export {
  CanaryRegistry,
  readCanaryRegistry,
  type RegistryContents,
  type RegistryRejection,
} from './registry.js';
export { canarySeparator } from './embed.js';
export { DEFAULT_CANARY_BANKS } from './banks.js';
export { readCanaryBanks } from './banks-file.js';
