export { startService } from './service.js';
export type { StartServiceOptions, RunningService } from './service.js';
export { buildApp } from './app.js';
export type { AppOptions } from './app.js';
export { DEFAULT_LIMITS } from './context.js';
export type { ServiceContext, ServiceLimits } from './context.js';
export { KeyRing, Role, generateApiKey } from './api-keys.js';
export type { Principal } from './api-keys.js';
