export { Policy, loadResponsePolicy, policyMitigations } from './response-policy.js';
export type { LoadedPolicy } from './response-policy.js';

export type { DecisionChange } from './decision.js';
export { DecisionBook } from './decision-book.js';

export { verifyWebhookSignature } from './webhook-signature.js';
export { WebhookDispatcher, parseNewWebhook, failureClass } from './webhooks.js';
export type { WebhookDispatcherOptions } from './webhooks.js';
export { CaseService, CaseStatus, NewCase, CasePatch, NewComment } from './case-service.js';
export type { CaseComment } from './case-service.js';
export {
  CanaryGenerator,
  CanaryRegistry,
  canarySeparator,
  DEFAULT_CANARY_BANKS,
  normalizeForMatch as normalizeCanaryText,
  readCanaryBanks,
  readCanaryRegistry,
} from './canary/index.js';

export { runProbe, runProbeToFiles, formatProbeSummary, renderProbeHtml } from './probe/index.js';
export type { ProbeReport } from './probe/index.js';
