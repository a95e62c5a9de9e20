import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEvents, countEventsById, openCoreStore } from '../src/store/index.js';
import { call, ensureBuilt, simulatedTraffic } from './server-harness.js';

const root = path.resolve(import.meta.dirname, '..');
const main = path.join(root, 'dist/cli/main.js');
const ADMIN = 'dg_crashTestAdminKey_0123456789abcdef';

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [main, 'serve', '--port', '0', '--data-dir', dataDir, '--rate-limit', '100000'],
    {
      cwd: root,
      env: { ...process.env, DISTILLGUARD_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

describe('SIGKILL during a large ingest', () => {
  let dir: string;
  const traffic = simulatedTraffic(12_000, 11);
  const batches: string[][] = [];
  for (let i = 0; i < traffic.events.length; i += 400)
    batches.push(traffic.events.slice(i, i + 400).map((e) => JSON.stringify(e)));

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'dg-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every event answered 202 exactly once after a restart', async () => {
    const first = await startServer(dir);
    const acked: number[] = [];
    let next = 0;
    let killed = false;
    // Four shippers in parallel; the server is killed while batches are in flight.
    const shipper = async () => {
      while (!killed && next < batches.length) {
        const b = next++;
        try {
          const r = await call(`${first.url}/v1/events`, 'POST', ADMIN, { raw: batches[b]!.join('\n') });
          if (r.status === 202) acked.push(b);
        } catch {
          return; // connection reset by the kill
        }
        if (acked.length >= 8 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([shipper(), shipper(), shipper(), shipper()]);
    await new Promise((r) =>
      first.child.exitCode !== null || first.child.signalCode ? r(null) : first.child.once('exit', r),
    );
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(8);
    expect(acked.length).toBeLessThan(batches.length);

    // Straight from the store: every acknowledged event is there, once.
    const db = await openCoreStore({ dataDir: dir });
    const ackedIds = acked.flatMap((b) => batches[b]!.map((l) => (JSON.parse(l) as { id: string }).id));
    const counts = await countEventsById(db, ackedIds);
    expect(ackedIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
    const stored = await countEvents(db);
    await db.destroy();

    // The restarted server rebuilds from the store; the shipper resends everything.
    const second = await startServer(dir);
    try {
      let health = { status: 'replaying', events: 0 };
      while (health.status === 'replaying') {
        await new Promise((r) => setTimeout(r, 100));
        health = (await call(`${second.url}/healthz`, 'GET', null)).body as typeof health;
      }
      expect(health.events).toBe(stored);
      let accepted = 0;
      let duplicates = 0;
      for (const b of batches) {
        const r = await call(`${second.url}/v1/events`, 'POST', ADMIN, { raw: b.join('\n') });
        expect(r.status).toBe(202);
        const body = r.body as { accepted: number; duplicates: number };
        accepted += body.accepted;
        duplicates += body.duplicates;
      }
      expect(duplicates).toBe(stored);
      expect(accepted + duplicates).toBe(traffic.events.length);
      const after = (await call(`${second.url}/healthz`, 'GET', null)).body as { events: number };
      expect(after.events).toBe(traffic.events.length);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    const check = await openCoreStore({ dataDir: dir });
    expect(await countEvents(check)).toBe(traffic.events.length);
    await check.destroy();
  });
});
