export { openDatabase, dialectOf, resolveDatabaseTarget } from './database.js';
export type { OpenDatabaseOptions, StoreDialect } from './database.js';
export { runMigrations } from './migrate.js';
export type { MigrationSet } from './migrate.js';
export { coreMigrations } from './migrations/index.js';
export type * from './tables.js';
export {
  openTestDatabase,
  storeTestBackends,
  postgresUnavailableReason,
  servicesRequired,
  TEST_POSTGRES_URL,
} from './testDatabase.js';
export type { TestDatabase } from './testDatabase.js';
