import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { Findings } from '../src/contracts/index.js';
import { serveWorkerMetrics } from '../src/pipeline/index.js';
import { runCli } from './cli-harness.js';
import { parseExposition, value } from './metrics-harness.js';
import {
  describeScale,
  ensureBuilt,
  simulatedPrefix,
  TEST_NATS_URL,
  TEST_POSTGRES_URL,
  waitFor,
} from './scale-harness.js';

// An on-call engineer must see from one command or one scrape whether detection keeps up: what
// each partition applied, what waits (lag), who holds which lease, how long batches and scoring
// take, and the newest findings' age. Before, there was no command, no endpoint and no metric.
const input = simulatedPrefix(2_000, 67);

/** A sample's value in Prometheus text: `name{labels} value`, labels matched as given. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

describeScale('scale-out: what an operator sees', 4, (fx) => {
  beforeAll(ensureBuilt);

  it('scale findings on a database nobody scored says so (exit 2), without a stack trace', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'dg-scale-none-')), 'f.json');
    const r = await runCli(['scale', 'findings', '--database-url', TEST_POSTGRES_URL, '--out', out], {
      env: { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[NOT_FOUND]: no findings in this database yet');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a worker serves /metrics and /healthz; scale status and scale findings read the database', async () => {
    const worker = await fx.startWorker('obs-0', { scoreEveryMs: 500 });
    const http = await serveWorkerMetrics(worker, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${http.port}`;
    try {
      // Ready only once it holds leases and every held partition is consuming.
      await waitFor(
        'the worker to be ready',
        async () => (await fetch(`${base}/healthz`)).status,
        (s) => s === 200,
        { timeoutMs: 30_000 },
      );
      await fx.publish(input);
      await fx.waitForApplied(input.events.length, 120_000);
      const findings = await waitFor(
        'findings of every event',
        async () => {
          const r = await runCli(['scale', 'status', '--database-url', TEST_POSTGRES_URL, '--json'], {
            env: { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema },
          });
          return JSON.parse(r.stdout) as { findings: { accounts: number } | null };
        },
        (s) => s.findings !== null && s.findings.accounts === input.accounts.length,
        { timeoutMs: 60_000, everyMs: 1000 },
      );
      expect(findings.findings).not.toBeNull();

      const text = await (await fetch(`${base}/metrics`)).text();
      // Every line parses, every family has # HELP and # TYPE (the writer serve shares).
      const parsed = parseExposition(text);
      expect(value(parsed, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      const applied = [0, 1, 2, 3].map(
        (p) => sample(text, 'distillguard_worker_events_applied_total', { partition: String(p) }) ?? 0,
      );
      expect(applied.reduce((a, b) => a + b, 0)).toBe(input.events.length);
      expect(applied.every((n) => n > 0)).toBe(true);
      expect(sample(text, 'distillguard_worker_leases')).toBe(4);
      for (const p of [0, 1, 2, 3]) {
        expect(sample(text, 'distillguard_worker_consumer_lag_messages', { partition: String(p) })).toBe(0);
        expect(sample(text, 'distillguard_worker_partition_leased', { partition: String(p) })).toBe(1);
      }
      expect(sample(text, 'distillguard_worker_batch_apply_seconds_count')).toBeGreaterThan(0);
      expect(sample(text, 'distillguard_worker_batch_apply_seconds_bucket', { le: '+Inf' })).toBe(
        sample(text, 'distillguard_worker_batch_apply_seconds_count'),
      );
      expect(sample(text, 'distillguard_worker_scoring_seconds_count')).toBeGreaterThan(0);
      expect(sample(text, 'distillguard_worker_ready')).toBe(1);
      expect(text).toContain('# TYPE distillguard_worker_events_applied_total counter');

      // The status command: every partition owned by obs-0 with a live lease, applied, no lag.
      const env = { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema };
      const status = await runCli(
        ['scale', 'status', '--database-url', TEST_POSTGRES_URL, '--nats', TEST_NATS_URL, '--json'],
        { env },
      );
      expect(status.code, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout) as {
        stream: string;
        applied: number;
        lag: number;
        partitions: { owner: string; lease: string; applied: number; lag: number }[];
        findings: { age_seconds: number };
      };
      expect(s.stream).toBe(fx.topology.stream);
      expect(s.applied).toBe(input.events.length);
      expect(s.lag).toBe(0);
      expect(s.partitions.map((p) => [p.owner, p.lease, p.lag])).toEqual(
        [0, 1, 2, 3].map(() => ['obs-0', 'live', 0]),
      );
      expect(s.partitions.map((p) => p.applied)).toEqual(applied);
      expect(s.findings.age_seconds).toBeLessThan(60);
      const table = await runCli(['scale', 'status', '--database-url', TEST_POSTGRES_URL], { env });
      expect(table.stdout).toMatch(/^\s+0\s+obs-0\s+live\s+[\d,]+\s+-$/m);
      expect(table.stdout).toContain(`applied ${input.events.length.toLocaleString('en')} events`);
      expect(table.stdout).toMatch(/newest findings \d+ s old/);

      // The findings command writes the newest findings as findings.v1.
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'dg-scale-findings-')), 'findings.json');
      const written = await runCli(['scale', 'findings', '--database-url', TEST_POSTGRES_URL, '--out', out], {
        env,
      });
      expect(written.code, written.stderr).toBe(0);
      const f = Findings.parse(JSON.parse(readFileSync(out, 'utf8')));
      expect(f.input.events).toBe(input.events.length);
      expect(f.accounts).toHaveLength(input.accounts.length);

      // Stopped: no leases, not ready.
      await worker.stop();
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { reason: string }).reason).toBe('stopped');
    } finally {
      await http.close();
    }
  }, 240_000);
});
