import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startService } from '../src/server/index.js';

const adminKey = `dg_test_admin_${'k'.repeat(24)}`;
/** The store's files: SQLite removes -wal and -shm when its last connection closes. */
const storeFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('distillguard.db'));

describe('serve on SQLite, closed or failing to start', () => {
  it('has closed every connection to its store when close resolves, so its folder can be removed', async () => {
    // CI saw ENOTEMPTY removing a data folder after close: a thread still held a connection and
    // wrote the -wal/-shm files back while the folder was being removed.
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-close-'));
    try {
      const s = await startService({ port: 0, logger: false, dataDir: dir, adminKey });
      await s.ready;
      await new Promise((r) => setTimeout(r, 400)); // every thread has opened its connection
      await s.close();
      expect(storeFiles(dir)).toEqual(['distillguard.db']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a port in use and closes what it opened', async () => {
    const first = await startService({ port: 0, logger: false, adminKey });
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-start-fail-'));
    try {
      const port = Number(new URL(first.url).port);
      const err = await startService({ port, logger: false, dataDir: dir, adminKey }).then(
        () => null,
        (e: unknown) => e,
      );
      // The CLI turns this into error[INVALID_ARGUMENT] (test/serve-metrics.test.ts).
      expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
      expect(storeFiles(dir)).toEqual(['distillguard.db']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await first.close();
    }
  });
});
