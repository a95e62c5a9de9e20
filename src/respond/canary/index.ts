export { CanaryGenerator, frameElicitationPrompts, normalizeForMatch, type Canary } from './generator.js';
export { matchCanary } from './match.js';
export { CanaryRegistry, readCanaryRegistry, type RegistryRejection } from './registry.js';
export { canarySeparator } from './embed.js';
export { DEFAULT_CANARY_BANKS } from './banks.js';
export { readCanaryBanks } from './banks-file.js';
