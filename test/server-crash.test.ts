import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../src/contracts/index.js';
import { simulationStream } from '../src/sim/index.js';
import { countEvents, countEventsById, openCoreStore, type StoreDialect } from '../src/store/index.js';
import { adminQuery, storeTestBackends, TEST_POSTGRES_URL } from './store-harness.js';
import { CLI as main, ensureBuilt, ROOT as root } from './cli-harness.js';
import { call } from './server-harness.js';

const ADMIN = 'dg_crashTestAdminKey_0123456789abcdef';

// CI runs a short soak; the full one (the security review's: 50,000 events, three SIGKILLs on each
// store) is `DG_CRASH_EVENTS=50000 DG_CRASH_KILLS=3 npx vitest run test/server-crash.test.ts`.
const EVENTS = Number(process.env.DG_CRASH_EVENTS ?? 12_000);
const KILLS = Number(process.env.DG_CRASH_KILLS ?? 2);
const BATCH = 400;

async function startServer(store: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', ...store, '--rate-limit', '100000'], {
    cwd: root,
    env: { ...process.env, DISTILLGUARD_ADMIN_KEY: ADMIN, DISTILLGUARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}${err}`)));
  });
  return { child, url };
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode ? Promise.resolve() : new Promise((r) => child.once('exit', r));

/** A server's store: a fresh SQLite folder or a fresh PostgreSQL database, and its flags. */
async function freshStore(dialect: StoreDialect): Promise<{
  flags: string[];
  open: Parameters<typeof openCoreStore>[0];
  dispose(): Promise<void>;
}> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-crash-'));
    return {
      flags: ['--data-dir', dir],
      open: { dataDir: dir },
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  // The server is a child process that takes a URL, so it gets a database of its own.
  const name = `dg_crash_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    flags: ['--database-url', url.toString()],
    open: { url: url.toString() },
    dispose: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

function traffic(n: number): ApiEvent[] {
  const sim = simulationStream({ scale: 'small', seed: 11, days: 14 });
  const events: ApiEvent[] = [];
  for (const e of sim.events()) {
    events.push(e);
    if (events.length >= n) break;
  }
  return events;
}

const backends = await storeTestBackends();

describe.each(backends)('SIGKILL during a large ingest (%s)', (dialect) => {
  const events = traffic(EVENTS);
  const batches: string[][] = [];
  for (let i = 0; i < events.length; i += BATCH)
    batches.push(events.slice(i, i + BATCH).map((e) => JSON.stringify(e)));
  const idsOf = (b: number) => events.slice(b * BATCH, (b + 1) * BATCH).map((e) => e.id);
  let store: Awaited<ReturnType<typeof freshStore>>;

  beforeAll(async () => {
    ensureBuilt();
    store = await freshStore(dialect);
  });
  afterAll(() => store.dispose());

  it(`keeps every event answered 202 exactly once through ${KILLS} kills and restarts`, async () => {
    const acked = new Set<number>();
    for (let round = 0; round < KILLS; round++) {
      const server = await startServer(store.flags);
      const pending = batches.map((_, b) => b).filter((b) => !acked.has(b));
      // Kill part-way through what is left, at a different point each round.
      const killAfter = Math.max(2, Math.floor((pending.length * (round + 1)) / (KILLS + 2)));
      let ackedThisRound = 0;
      let killed = false;
      let next = 0;
      // Four shippers in parallel; the server is killed while batches are in flight.
      const shipper = async () => {
        while (!killed && next < pending.length) {
          const b = pending[next++]!;
          try {
            const r = await call(`${server.url}/v1/events`, 'POST', ADMIN, { raw: batches[b]!.join('\n') });
            if (r.status === 202) {
              acked.add(b);
              ackedThisRound++;
            }
          } catch {
            return; // connection reset by the kill
          }
          if (ackedThisRound >= killAfter && !killed) {
            killed = true;
            server.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all([shipper(), shipper(), shipper(), shipper()]);
      await exited(server.child);
      expect(server.child.signalCode).toBe('SIGKILL');
      expect(acked.size).toBeLessThan(batches.length);

      // Straight from the store: every acknowledged event is there, once.
      const db = await openCoreStore(store.open);
      const ackedIds = [...acked].flatMap(idsOf);
      const counts = await countEventsById(db, ackedIds);
      await db.destroy();
      expect(ackedIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
    }

    const db = await openCoreStore(store.open);
    const stored = await countEvents(db);
    await db.destroy();
    const ackedCount = [...acked].flatMap(idsOf).length;
    expect(stored).toBeGreaterThanOrEqual(ackedCount);

    // The restarted server rebuilds from the store; the shipper resends everything.
    const last = await startServer(store.flags);
    try {
      let health = { status: 'replaying', events: 0 };
      while (health.status === 'replaying') {
        await new Promise((r) => setTimeout(r, 100));
        health = (await call(`${last.url}/healthz`, 'GET', null)).body as typeof health;
      }
      expect(health.events).toBe(stored);
      let accepted = 0;
      let duplicates = 0;
      for (const b of batches) {
        const r = await call(`${last.url}/v1/events`, 'POST', ADMIN, { raw: b.join('\n') });
        expect(r.status).toBe(202);
        const body = r.body as { accepted: number; duplicates: number };
        accepted += body.accepted;
        duplicates += body.duplicates;
      }
      expect(duplicates).toBe(stored);
      expect(accepted + duplicates).toBe(events.length);
      const after = (await call(`${last.url}/healthz`, 'GET', null)).body as { events: number };
      expect(after.events).toBe(events.length);
    } finally {
      last.child.kill('SIGTERM');
      await exited(last.child);
    }
    const check = await openCoreStore(store.open);
    const counts = await countEventsById(
      check,
      events.map((e) => e.id),
    );
    expect(await countEvents(check)).toBe(events.length);
    await check.destroy();
    expect(events.filter((e) => counts.get(e.id) !== 1).map((e) => e.id)).toEqual([]);
    // The figures the closing note quotes for the full soak.
    console.info(
      `[crash soak ${dialect}] ${events.length} events, ${KILLS} SIGKILLs: ${ackedCount} acknowledged before the last restart, ${stored} stored at that point, 0 duplicated, ${events.length} stored once each at the end`,
    );
  });
});
