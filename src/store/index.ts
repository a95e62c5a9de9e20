export { openDatabase, resolveDatabaseTarget } from './database.js';
export type { OpenDatabaseOptions, StoreDialect } from './database.js';
export { runMigrations } from './migrate.js';

export { coreMigrations } from './migrations/index.js';
export { openCoreStore } from './core-store.js';
export type { CoreDb } from './core-store.js';
export type * from './core-tables.js';
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
} from './case-store.js';
export type { CaseRow } from './case-store.js';
export { loadDecisionRows, saveDecisionChanges } from './decision-store.js';
export type { DecisionRow } from './decision-store.js';
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
} from './webhook-store.js';
export type { WebhookRow, WebhookDeliveryRow } from './webhook-store.js';
export { addBenignReference, listBenignReference } from './benign-store.js';
export { saveFindingsSnapshot, latestFindingsSnapshot } from './findings-store.js';
export * from './hub/index.js';
export * from './scale/index.js';
