import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scaleProgress } from '../src/store/index.js';
import { postgresUnavailableReason } from './store-harness.js';
import { scaleSkip, simulatedPrefix, useScaleFixture } from './scale-harness.js';

// PostgreSQL restarts under running workers. Commits fail while it is down; the workers keep
// their batches un-acknowledged (marked in progress), retry, and finish with exact counts.
// This file runs alone after the main suite (vitest.serial.config.ts): a restart would break
// other files' connections.
const input = simulatedPrefix(8_000, 13);

function pgctl(action: 'restart' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'pipe' });
}

async function waitForPostgres(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await postgresUnavailableReason()) === null) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('PostgreSQL did not come back');
}

const canRestart = (() => {
  try {
    return readdirSync('/etc/postgresql').length > 0;
  } catch {
    return false;
  }
})();
if (scaleSkip === null && !canRestart)
  console.warn('[skip] PostgreSQL restart test: no local cluster to restart');

describe.skipIf(scaleSkip !== null || !canRestart)('scale-out: PostgreSQL restarts', () => {
  const fx = useScaleFixture(4, {}, async () => {
    // Whatever happened, leave PostgreSQL running.
    if ((await postgresUnavailableReason()) !== null) {
      try {
        pgctl('start');
      } catch {
        // Already starting.
      }
      await waitForPostgres();
    }
  });

  it('workers retry without acknowledging and count every event once', async () => {
    const workers = [
      await fx.startWorker('pg-0', { leaseMs: 3000, batchSize: 200 }),
      await fx.startWorker('pg-1', { leaseMs: 3000, batchSize: 200 }),
    ];
    await fx.publish(input);

    await fx.waitUntilProgress(input.events.length / 4);
    pgctl('restart');
    await waitForPostgres();

    await fx.waitForApplied(input.events.length);
    for (const w of workers) await w.stop();

    expect(workers.reduce((s, w) => s + w.stats.retries, 0)).toBeGreaterThan(0);
    expect((await scaleProgress(fx.db)).events).toBe(input.events.length);
    expect(await fx.storedEventTotal()).toBe(input.events.length);
    expect(workers.reduce((s, w) => s + w.stats.applied, 0)).toBe(input.events.length);
  }, 600_000);
});
