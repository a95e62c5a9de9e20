export { Gateway, type GatewayOptions } from './gateway.js';
export { startGateway, type RunningGateway } from './start.js';
export { AccountResolver, sha256Hex, type Caller } from './accounts.js';
export { DecisionCache } from './decision-cache.js';
export { HttpDecisionSource, StaticDecisionSource } from './decision-source.js';

export { EventRecorder } from './recorder.js';
export { Throttle } from './throttle.js';
export { DemoUpstream } from './demo-upstream.js';
