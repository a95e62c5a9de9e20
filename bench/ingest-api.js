// Ingest API throughput with enforcement lookups running beside it (issue 18 item 5): a `serve`
// process (its own, so the clients' work does not share its event loop) on SQLite and, when
// reachable, on PostgreSQL; shippers POST simulated NDJSON batches to /v1/events at full speed
// while one client asks GET /v1/decisions/:account_id in a closed loop. Prints accepted events/s
// (first POST to last 202) and the lookups' p50/p99/max during ingest, with the load average.
//   node bench/ingest-api.js [--events N] [--batch N] [--shippers N] [--store sqlite,postgres] [--dist DIR]
// --dist runs another build's serve (e.g. main's, checked out and built beside this one) under the
// same bench. A batch refused with 503 (serve's ingest queue full) is sent again after 100 ms and
// counted.
// PostgreSQL at $BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema
// of its own that is dropped afterwards. BENCH_SERVE_NODE_ARGS adds node flags to serve's process
// (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for a profile of the server alone).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { quantiles } from './quantiles.js';
import { arg } from './args.js';

const EVENTS = Number(arg('events', 100_000));
const BATCH = Number(arg('batch', 1000));
const SHIPPERS = Number(arg('shippers', 4));
const STORES = arg('store', 'sqlite,postgres').split(',');
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DIST = path.resolve(arg('dist', fileURLToPath(new URL('../dist', import.meta.url))));
const CLI = path.join(DIST, 'cli/main.js');
const { simulationStream } = await import(pathToFileURL(path.join(DIST, 'sim/index.js')).href);
const KEY = `dg_benchIngestApi_${randomBytes(12).toString('hex')}`;
const load = () => loadavg()[0].toFixed(1);

// The same events for every store: a small simulation's first EVENTS events, in batches.
const batches = [];
const accountIds = new Set();
{
  let lines = [];
  for (const e of simulationStream({ scale: 'small', seed: 11 }).events()) {
    accountIds.add(e.account_id);
    lines.push(JSON.stringify(e));
    if (lines.length === BATCH) (batches.push(lines.join('\n')), (lines = []));
    if (batches.length * BATCH + lines.length >= EVENTS) break;
  }
  if (lines.length) batches.push(lines.join('\n'));
}
const ids = [...accountIds];
const total = batches.reduce((n, b) => n + b.split('\n').length, 0);

async function startServe(env, extra) {
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0', ...extra], {
    env: { ...process.env, DISTILLGUARD_ADMIN_KEY: KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err.slice(-500)}`)));
  });
  return { url, child };
}

async function measure(store) {
  let dir;
  let schema;
  let serve;
  if (store === 'sqlite') {
    dir = mkdtempSync(path.join(tmpdir(), 'dg-bench-ingest-api-'));
    serve = await startServe({}, ['--data-dir', dir]);
  } else {
    schema = `bench_ingest_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG });
    try {
      await c.connect();
    } catch (e) {
      console.log(`postgres: skipped (${PG} unreachable: ${e.message})`);
      return;
    }
    await c.query(`create schema ${schema}`);
    await c.end();
    // serve's tables go into this schema alone: its search_path is set by the connection.
    const url = new URL(PG);
    url.searchParams.set('options', `-c search_path=${schema}`);
    serve = await startServe({}, ['--database-url', url.href]);
  }
  const headers = { authorization: `Bearer ${KEY}` };
  try {
    const lookup = async (id) => {
      const t0 = performance.now();
      const r = await fetch(`${serve.url}/v1/decisions/${id}`, { headers });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`decision lookup: HTTP ${r.status}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 300; i++) await lookup(ids[i % ids.length]); // warm up
    const cpu0 = await cpuOf(serve.child.pid);
    const la0 = load();
    let next = 0;
    let accepted = 0;
    let refused = 0;
    let shipping = true;
    const t0 = performance.now();
    const ship = Promise.all(
      Array.from({ length: SHIPPERS }, async () => {
        while (next < batches.length) {
          const body = batches[next++];
          for (;;) {
            const r = await fetch(`${serve.url}/v1/events`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/x-ndjson' },
              body,
            });
            const j = await r.json();
            if (r.status === 503 && r.headers.get('retry-after')) {
              refused++;
              await new Promise((res) => setTimeout(res, 100));
              continue;
            }
            if (r.status !== 202)
              throw new Error(`ingest: HTTP ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
            accepted += j.accepted;
            break;
          }
        }
      }),
    ).finally(() => (shipping = false));
    const during = [];
    for (let i = 0; shipping; i++) during.push(await lookup(ids[(i * 7919) % ids.length]));
    await ship;
    const secs = (performance.now() - t0) / 1000;
    const cpu = (await cpuOf(serve.child.pid)) - cpu0;
    const d = quantiles(during);
    console.log(
      `${store.padEnd(8)} ${accepted} of ${total} events accepted in ${secs.toFixed(1)} s = ` +
        `${Math.round(accepted / secs)} events/s (${SHIPPERS} shippers × ${BATCH}-event batches; serve ` +
        `${((cpu / accepted) * 1e6).toFixed(0)} µs CPU/event${refused ? `; ${refused} batches refused with 503 and sent again` : ''}); GET /v1/decisions during ingest: n=${d.n} ` +
        `p50 ${d.p50.toFixed(2)} ms p99 ${d.p99.toFixed(2)} ms max ${d.max.toFixed(1)} ms; load ${la0} → ${load()}`,
    );
  } finally {
    serve.child.kill('SIGTERM');
    await new Promise((r) => serve.child.once('exit', r));
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (schema) {
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  }
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux; 0 elsewhere). */
async function cpuOf(pid) {
  try {
    const { readFileSync } = await import('node:fs');
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

console.log(
  `ingest API: ${total} simulated events (small seed 11), ${ids.length} accounts; serve from ${DIST}`,
);
for (const store of STORES) await measure(store);
