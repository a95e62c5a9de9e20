import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DetectionEngine } from '../src/findings/index.js';
import type { AccountRecord, ApiEvent } from '../src/contracts/index.js';
import { startService, type RunningService, type StartServiceOptions } from '../src/server/index.js';
import { simulationStream } from '../src/sim/index.js';
import { type StoreDialect } from '../src/store/index.js';
import { adminQuery, openTestDatabase } from './store-harness.js';

/** A real simulated population: its account records and the first `n` events in time order. */
export function simulatedTraffic(
  n: number,
  seed = 7,
  days = 3,
): { accounts: AccountRecord[]; events: ApiEvent[] } {
  const sim = simulationStream({ scale: 'small', seed, days });
  const events: ApiEvent[] = [];
  for (const e of sim.events()) {
    events.push(e);
    if (events.length >= n) break;
  }
  return { accounts: sim.accounts.map((a) => a.record), events };
}

export const ndjson = (items: readonly unknown[]): string => items.map((x) => JSON.stringify(x)).join('\n');

export interface TestService {
  service: RunningService;
  url: string;
  admin: string;
  /** Start the service again on the same store (a restart); by default waits for the rebuild. */
  restart(extra?: Partial<StartServiceOptions>, awaitReady?: boolean): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts the real service on a fresh store of the given dialect, on a free port, with the real engine. */
export async function startTestService(
  dialect: StoreDialect,
  extra: Partial<StartServiceOptions> = {},
): Promise<TestService> {
  const adminKey = `dg_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
  let storeOpts: Partial<StartServiceOptions>;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-server-'));
    storeOpts = { dataDir: dir, databaseUrl: `sqlite:${path.join(dir, 'dg.db')}` };
    cleanup = () =>
      Promise.resolve(rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  } else {
    // A fresh PG schema; the service opens its own pool on it.
    const t = await openTestDatabase(dialect);
    await t.db.destroy();
    storeOpts = { databaseUrl: t.url, databaseSchema: t.schema };
    cleanup = () => adminQuery(`drop schema if exists ${t.schema ?? 'none'} cascade`);
  }
  const opts: StartServiceOptions = {
    port: 0,
    logger: false,
    minRefreshMs: 50,
    adminKey,
    engine: () => new DetectionEngine(),
    ...storeOpts,
    ...extra,
  };
  const ts: TestService = {
    service: await startService(opts).then(async (s) => (await s.ready, s)),
    url: '',
    admin: adminKey,
    async restart(more = {}, awaitReady = true) {
      await ts.service.close();
      ts.service = await startService({ ...opts, ...more });
      ts.url = ts.service.url;
      if (awaitReady) await ts.service.ready;
    },
    async dispose() {
      await ts.service.close();
      await cleanup();
    },
  };
  ts.url = ts.service.url;
  return ts;
}

export interface Call {
  status: number;
  body: unknown;
  text: string;
}

/** One HTTP call with an optional bearer key; JSON bodies are sent as JSON unless `raw` is given. */
export async function call(
  url: string,
  method: string,
  key: string | null,
  opts: {
    json?: unknown;
    raw?: string | Buffer;
    type?: string;
    gzip?: boolean;
    headers?: Record<string, string>;
  } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...opts.headers };
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = opts.type ?? 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.type ?? 'application/x-ndjson';
  }
  if (opts.gzip && body !== undefined) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

/** Issues an API key of `role` through the admin API; the only time the key is shown. */
export async function createApiKey(ts: TestService, role: string, name = `${role} key`): Promise<string> {
  const r = await call(`${ts.url}/v1/keys`, 'POST', ts.admin, { json: { name, role } });
  if (r.status !== 201) throw new Error(`creating a ${role} key answered ${r.status}: ${r.text}`);
  return (r.body as { key: string }).key;
}

/** Records one decision per account (`[account, action]`) through the API with `key`. */
export async function putDecisions(
  ts: TestService,
  key: string,
  decisions: readonly (readonly [account: string, action: string])[],
  reason: (account: string) => string,
): Promise<void> {
  for (const [id, action] of decisions) {
    const r = await call(`${ts.url}/v1/decisions/${id}`, 'PUT', key, {
      json: { action, reason: reason(id) },
    });
    if (r.status !== 200) throw new Error(`deciding ${action} on ${id} answered ${r.status}: ${r.text}`);
  }
}

/** Polls `fn` every 50 ms until it returns something other than null (what the service wrote, say); throws after `ms`. */
export async function waitForValue<T>(fn: () => Promise<T | null>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
