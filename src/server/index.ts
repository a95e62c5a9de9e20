export { startService } from './service.js';
export type { StartServiceOptions, RunningService } from './service.js';
export { buildApp } from './app.js';
export type { AppOptions } from './app.js';
export { DEFAULT_LIMITS } from './context.js';
export type { ServiceContext, ServiceLimits } from './context.js';
export type { FindingsEngine, EngineFactory, EngineResult, LinkEdge } from './engine.js';
export { KeyRing, Role, generateApiKey, hashApiKey } from './apiKeys.js';
export type { Principal } from './apiKeys.js';
