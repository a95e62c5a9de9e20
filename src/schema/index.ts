export { rfc3339 } from './timestamp.js';
export { AccountRecord, InlineAccount } from './account.js';
export { ApiEvent, ContentPart, EventLabels, Message, MessageRole, RequestParams } from './event.js';
export { AccountFinding, ClusterFinding, ClusterLink, Findings, Level, Signal } from './findings.js';
export { Truth, TruthAccount, TRAP_PREFIX, isTrap } from './truth.js';
export { UserError, UserErrorCode, isUserError } from './errors.js';
export { CanaryServing } from './canary.js';
