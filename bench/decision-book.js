// Shared by the enforcement benches (decisions.js, guardrails.js, ingest-api.js): latency
// quantiles, synthetic findings over N accounts, and an in-process service over a temp SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../dist/server/index.js';

export { quantiles } from './quantiles.js';

/** findings.v1 for N accounts: 1 in 10 at review, 1 in 100 at act; `clusters` appended as given. */
export function benchFindings(n, clusters = []) {
  const accounts = [];
  for (let i = 0; i < n; i++) {
    const level = i % 100 === 0 ? 'act' : i % 10 === 0 ? 'review' : 'none';
    accounts.push({
      account_id: `acct_${i}`,
      score: level === 'none' ? 0.1 : 0.8,
      level,
      events: 10,
      signals: [],
    });
  }
  return {
    format: 'findings.v1',
    generated_at: new Date().toISOString(),
    input: { events: n * 10, accounts: n, rejected_lines: 0, from: null, to: null },
    accounts,
    clusters,
  };
}

/**
 * `serve` in process on a temp SQLite store, with a known admin key and no effective rate limit on
 * decisions; `stop()` closes it and deletes the store.
 */
export async function startBenchService(name, adminKey) {
  const dir = mkdtempSync(path.join(tmpdir(), `dg-bench-${name}-`));
  const service = await startService({
    dataDir: dir,
    port: 0,
    logger: false,
    adminKey,
    limits: { decisionRatePerMinute: 10_000_000 },
  });
  return {
    service,
    async stop() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
