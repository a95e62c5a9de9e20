export { Gateway, wantsProse, type CanaryOptions, type GatewayOptions } from './gateway.js';
export { startGateway, type RunningGateway } from './start.js';
export { AccountResolver, sha256Hex } from './accounts.js';
export { DecisionCache } from './decision-cache.js';
export { HttpDecisionSource, StaticDecisionSource } from './decision-source.js';

export { EventRecorder } from './recorder.js';
export { Throttle } from './throttle.js';
export { DemoUpstream } from './demo-upstream.js';
// The guardrail webhooks of `serve` (src/server/guardrails.ts) judge and record exchanges that
// another gateway carries, with the same event shape, degrade rules and throttle as this gateway.
export {
  buildEvent,
  endpointOf,
  isObject,
  lastUserText,
  requestMessages,
  type Endpoint,
  type GatewayAnnotation,
  type Json,
  type ResponseSummary,
} from './exchange.js';
export { ResponseShaper } from './shaper.js';
export { degradeRequest, DEFAULT_DEGRADE_MAX_TOKENS } from './degrade.js';
export { newSupportReference } from './error-bodies.js';
