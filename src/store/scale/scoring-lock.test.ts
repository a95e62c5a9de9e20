import { describe, expect, it } from 'vitest';
import { openTestDatabase, storeTestBackends } from '../../../test/store-harness.js';
import { runMigrations } from '../migrate.js';
import { coreMigrations } from '../migrations/index.js';
import { scaleMigrations } from './scale-migrations.js';
import { withScoringLock } from './scale-store.js';
import type { ScaleDb } from './scale-store.js';

const postgres = (await storeTestBackends()).includes('postgres');

// Scale-out workers take turns scoring through an advisory lock. Two deployments in different
// schemas of one PostgreSQL database are strangers: one's scoring must not stop the other's.
describe.skipIf(!postgres)('the scale-out scoring lock', () => {
  it('is held per schema: a deployment scores while another schema’s scoring holds its own lock', async () => {
    const a = await openTestDatabase<never>('postgres');
    const b = await openTestDatabase<never>('postgres');
    try {
      const dbA = a.db as unknown as ScaleDb;
      const dbB = b.db as unknown as ScaleDb;
      for (const db of [dbA, dbB]) {
        await runMigrations(db, coreMigrations);
        await runMigrations(db, scaleMigrations);
      }
      let inB: string | null = null;
      let inA2: string | null | undefined;
      const outA = await withScoringLock(
        dbA,
        async () => {
          // While A holds its lock: B (another schema) gets its own, a second scorer of A does not.
          inB = await withScoringLock(dbB, () => Promise.resolve('b scored'), true);
          inA2 = await withScoringLock(dbA, () => Promise.resolve('a scored twice'), true);
          return 'a scored';
        },
        true,
      );
      expect(outA).toBe('a scored');
      expect(inB).toBe('b scored');
      expect(inA2).toBeNull();
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
