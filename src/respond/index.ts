export { Policy, parseResponsePolicy, loadResponsePolicy, defaultPolicyPath } from './response-policy.js';
export type { LoadedPolicy } from './response-policy.js';
export { evaluatePolicy } from './evaluate-policy.js';
export type { PolicyDecision } from './evaluate-policy.js';
export { defaultDecision } from './decision.js';
export type { DecisionChange } from './decision.js';
export { DecisionBook } from './decision-book.js';
export type { ManualDecisionInput, DecisionListener } from './decision-book.js';
export { signWebhook, verifyWebhookSignature } from './webhook-signature.js';
export {
  WebhookDispatcher,
  WebhookEventType,
  NewWebhook,
  parseNewWebhook,
  failureClass,
} from './webhooks.js';
export type { WebhookView, WebhookDispatcherOptions } from './webhooks.js';
export { CaseService, CaseStatus, NewCase, CasePatch, NewComment } from './case-service.js';
export type { CaseView, CaseComment, CaseSubjects, CaseServiceDeps } from './case-service.js';
export {
  CanaryGenerator,
  CanaryRegistry,
  CONTROL_SUBJECT_PREFIX,
  DEFAULT_CANARIES_PER_SUBJECT,
  canarySeparator,
  matchCanary,
  normalizeForMatch,
  readCanaryRegistry,
} from './canary/index.js';
export type { Canary, CanaryMatch, RegistryContents, RegistryRejection } from './canary/index.js';
export {
  runProbe,
  runProbeToFiles,
  formatProbeSummary,
  renderProbeHtml,
  fisherOneSided,
  askChat,
  chatCompletionsUrl,
} from './probe/index.js';
export type {
  CanaryEvidence,
  ChatTarget,
  ProbeOptions,
  ProbeReport,
  ProbeRunOptions,
  ProbeRunResult,
  SubjectResult,
  TwoByTwo,
} from './probe/index.js';
