import type { MigrationSet } from '../migrate.js';
import { coreMigration0001 } from './0001_core.js';
import { coreMigration0002 } from './0002_decision_watch.js';
import { coreMigration0003 } from './0003_event_quarantine.js';

/** The core tables' migrations; append new ones with the next number, never edit applied ones. */
export const coreMigrations: MigrationSet = {
  name: 'core',
  migrations: {
    '0001_core': coreMigration0001,
    '0002_decision_watch': coreMigration0002,
    '0003_event_quarantine': coreMigration0003,
  },
};
