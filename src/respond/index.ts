export { loadResponsePolicy, policyMitigations, type LoadedPolicy } from './response-policy.js';

export type { DecisionChange } from './account-decision.js';
export { DecisionBook } from './decision-book.js';

export { verifyWebhookSignature } from './webhook-signature.js';
export {
  WebhookDispatcher,
  parseNewWebhook,
  failureClass,
  type WebhookDispatcherOptions,
} from './webhooks.js';
export { CaseService, CaseStatus, NewCase, CasePatch, NewComment } from './case-service.js';
export {
  CanaryGenerator,
  CanaryRegistry,
  canarySeparator,
  DEFAULT_CANARY_BANKS,
  normalizeForMatch as normalizeCanaryText,
  readCanaryBanks,
  readCanaryRegistry,
} from './canary/index.js';

export {
  runProbe,
  runProbeToFiles,
  formatProbeSummary,
  renderProbeHtml,
  type ProbeReport,
} from './probe/index.js';
