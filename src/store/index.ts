export { openDatabase, dialectOf, resolveDatabaseTarget } from './database.js';
export type { OpenDatabaseOptions, StoreDialect } from './database.js';
export { runMigrations } from './migrate.js';
export type { MigrationSet } from './migrate.js';
export { coreMigrations } from './migrations/index.js';
export { openCoreStore } from './coreStore.js';
export type { CoreDb } from './coreStore.js';
export type * from './tables.js';
export {
  insertEvents,
  streamEvents,
  streamStoredEvents,
  countEvents,
  countEventsById,
  eventTimeRange,
  hourlyEventCounts,
  recentEventsOf,
  quarantineStoredEvent,
  listQuarantinedStoredEvents,
} from './eventStore.js';
export type { InsertEventsOptions, QuarantinedStoredEvent, StoredEvent } from './eventStore.js';
export {
  upsertAccounts,
  getAccountRecord,
  getAccountRecords,
  allAccountRecords,
  countAccountRecords,
} from './accountStore.js';
export { appendAudit, listAudit } from './auditStore.js';
export type { AuditEntry, NewAuditEntry } from './auditStore.js';
export {
  insertCase,
  getCaseRow,
  listCaseRows,
  updateCaseRow,
  insertCaseComment,
  listCaseComments,
} from './caseStore.js';
export type { CaseRow, CaseCommentRow } from './caseStore.js';
export { loadDecisionRows, saveDecisionChanges } from './decisionStore.js';
export type { DecisionRow } from './decisionStore.js';
export { findApiKeyByHash, insertApiKey, loadActiveApiKeys, revokeApiKey } from './apiKeyStore.js';
export type { ApiKeyRow } from './apiKeyStore.js';
export {
  insertWebhook,
  listWebhooks,
  insertDeliveries,
  dueDeliveries,
  markDelivery,
  deadLetter,
  listDeliveries,
  listDeadLetters,
  deleteWebhook,
  setWebhookActive,
  nextPendingDelivery,
  countPendingDeliveries,
  insertDeadDeliveries,
} from './webhookStore.js';
export type { WebhookRow, WebhookDeliveryRow, DeadLetterRow } from './webhookStore.js';
export { addBenignReference, listBenignReference } from './benignStore.js';
export { saveFindingsSnapshot, latestFindingsSnapshot } from './findingsStore.js';
export {
  openTestDatabase,
  storeTestBackends,
  postgresUnavailableReason,
  servicesRequired,
  TEST_POSTGRES_URL,
} from './testDatabase.js';
export type { TestDatabase } from './testDatabase.js';
export * from './hub/index.js';
export * from './scale/index.js';
