export {
  DEFAULT_UPSTREAM_LIMITS,
  Gateway,
  type CanaryOptions,
  type GatewayLog,
  type GatewayOptions,
} from './gateway.js';
export { startGateway, type GatewayConfig, type RunningGateway } from './start.js';
export { AccountResolver, sha256Hex, type AccountResolverOptions, type Caller } from './accounts.js';
export { DecisionCache, type DecisionCacheOptions } from './decision-cache.js';
export { HttpDecisionSource, StaticDecisionSource, type DecisionSource } from './decision-source.js';
export { effectiveDecision, type EffectiveDecision } from './decision.js';
export { EventRecorder, type RecorderOptions, type RecorderStats } from './recorder.js';
export { Throttle } from './throttle.js';
export { DemoUpstream, type DemoUpstreamOptions } from './demo-upstream.js';
export {
  blockedBody,
  stepUpBody,
  throttledBody,
  upstreamUnavailableBody,
  type GatewayErrorBody,
} from './error-bodies.js';
export { DEFAULT_DEGRADE_MAX_TOKENS } from './degrade.js';
