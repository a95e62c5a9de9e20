export {
  openDatabase,
  resolveDatabaseTarget,
  type OpenDatabaseOptions,
  type StoreDialect,
} from './database.js';
export { runMigrations } from './migrate.js';

export { coreMigrations } from './migrations/index.js';
export { openCoreStore, type CoreDb } from './core-store.js';
export type { CoreDatabase } from './core-tables.js';
export {
  insertEvents,
  streamEvents,
  streamStoredEvents,
  countEvents,
  countEventsById,
  hourlyEventCounts,
  recentEventsOf,
  quarantineStoredEvent,
  listQuarantinedStoredEvents,
} from './event-store.js';

export { upsertAccounts, getAccountRecord, getAccountRecords, allAccountRecords } from './account-store.js';
export { appendAudit, listAudit } from './audit-store.js';

export {
  insertCase,
  getCaseRow,
  listCaseRows,
  updateCaseRow,
  insertCaseComment,
  listCaseComments,
  type CaseRow,
} from './case-store.js';
export { loadDecisionRows, saveDecisionChanges, type DecisionRow } from './decision-store.js';
export {
  findApiKeyByHash,
  hashApiKey,
  insertApiKey,
  loadActiveApiKeys,
  revokeApiKey,
} from './api-key-store.js';

export {
  insertWebhook,
  listWebhooks,
  insertDeliveries,
  markDelivery,
  deadLetter,
  listDeliveries,
  listDeadLetters,
  deleteWebhook,
  setWebhookActive,
  nextPendingDelivery,
  countPendingDeliveries,
  insertDeadDeliveries,
  type WebhookRow,
  type WebhookDeliveryRow,
} from './webhook-store.js';
export { addBenignReference, listBenignReference } from './benign-store.js';
export { saveFindingsSnapshot, latestFindingsSnapshot } from './findings-store.js';
export * from './hub/index.js';
export * from './scale/index.js';
