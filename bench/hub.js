// Hub page serving (node bench/hub.js [seconds per mode] [dist dir ...], after `npm run build`):
// fills a collection with the small simulation's `intel export` (seed 11) replicated under fresh
// ids to ~5 000 signed objects (indicators, relationships, campaigns, sightings), then 10 clients
// each walk the collection with GET objects/?limit=100 and its `next` tokens, with an API key
// (Bearer) and with HTTP Basic; prints p50/p99/max per page, pages/s and objects/s, on SQLite and
// PostgreSQL (127.0.0.1:5432, a throwaway schema). Each build's hub runs in a child process of its
// own (bench/hub-serve.js); given several dist dirs (e.g. an old build's), the builds alternate
// within each round. HUB_BENCH_CPU_PROF=<dir> runs the hubs with --cpu-prof into that dir.
// HUB_BENCH_STORES=sqlite|postgres limits the stores. Prints the load average on every line, and on
// PostgreSQL the CPU of the server's processes per page (all of them: an upper bound when shared).
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { load, machineLine } from './machine.js';
import { analyzedSimulation, exportSettings } from './intel-fixture.js';

const seconds = Number(process.argv[2] ?? 5);
const dists =
  process.argv.length > 3 ? process.argv.slice(3) : [fileURLToPath(new URL('../dist/', import.meta.url))];
const PG = process.env.HUB_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const stores = (process.env.HUB_BENCH_STORES ?? 'sqlite,postgres').split(',');
const CLIENTS = 10;
const LIMIT = 100;
const COPIES = 30;
process.stdout.write(machineLine());

const imp = (p) => import(new URL(p, new URL(`file://${dists[0].replace(/\/?$/, '/')}`)).href);
const simMod = await imp('sim/index.js');
const findingsMod = await imp('findings/index.js');
const intel = await imp('intel/index.js');

// The objects: one real export, then copies of the publisher's own objects under fresh ids (the
// shared markings, identities and ATLAS techniques once), references remapped within each copy.
const { events, accounts, findings } = analyzedSimulation(simMod, findingsMod);
const exported = await intel.exportBundle({ findings, events, accounts, ...exportSettings(intel) });
const base = exported.bundle.objects;
const OWN = new Set(['indicator', 'relationship', 'campaign', 'sighting']);
const ownIds = base.filter((o) => OWN.has(o.type)).map((o) => o.id);
const objects = [...base];
for (let k = 1; k < COPIES; k++) {
  let text = JSON.stringify(base.filter((o) => OWN.has(o.type)));
  for (const id of ownIds) {
    const fresh = `${id.split('--')[0]}--${randomUUID()}`;
    text = text.split(id).join(fresh);
  }
  objects.push(...JSON.parse(text));
}
const counts = {};
for (const o of objects) counts[o.type] = (counts[o.type] ?? 0) + 1;
process.stdout.write(
  `objects: ${objects.length} (${Object.entries(counts)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ')}), ${Math.round(JSON.stringify(objects).length / objects.length)} bytes each on average\n`,
);
const key = intel.generateMemberKey('org-a');

async function startHub(dist, url, schema) {
  const prof = process.env.HUB_BENCH_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      fileURLToPath(new URL('hub-serve.js', import.meta.url)),
      dist,
      url,
      ...(schema ? [schema] : []),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, HUB_BENCH_PUBKEY: Buffer.from(key.publicKey).toString('hex') },
    },
  );
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`hub exited with ${c}`)));
  });
  const info = JSON.parse(line);
  const client = new intel.TaxiiClient(`${info.base}/api1/`, { apiKey: info.apiKey });
  const t0 = performance.now();
  for (let i = 0; i < objects.length; i += 500) await client.push(info.cid, objects.slice(i, i + 500), key);
  return {
    ...info,
    fillSecs: (performance.now() - t0) / 1000,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds all `postgres` processes have used so far (the server's backends; on a shared
 * machine other users' queries are counted too, so read it as an upper bound).
 */
function postgresCpu() {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      sum += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** CLIENTS workers walk the collection page by page (following next) for `secs`. */
async function measure(hub, authorization, secs) {
  const first = `${hub.base}/api1/collections/${hub.cid}/objects/?limit=${LIMIT}`;
  const until = performance.now() + secs * 1000;
  const times = [];
  let objs = 0;
  let failed = 0;
  let walks = 0;
  const worker = async () => {
    let url = first;
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await fetch(url, {
        headers: { authorization, accept: 'application/taxii+json;version=2.1' },
      });
      const body = await res.json();
      times.push(performance.now() - t0);
      if (res.status !== 200) {
        failed++;
        url = first;
        continue;
      }
      objs += body.objects?.length ?? 0;
      if (body.more) url = `${first}&next=${encodeURIComponent(body.next)}`;
      else {
        url = first;
        walks++;
      }
    }
  };
  const cpu0 = cpuOf(hub.pid);
  const pg0 = hub.postgres ? postgresCpu() : 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const took = (performance.now() - t0) / 1000;
  const cpu = cpuOf(hub.pid) - cpu0;
  const pgCpu = hub.postgres ? postgresCpu() - pg0 : 0;
  times.sort((a, b) => a - b);
  return {
    n: times.length,
    perSec: times.length / took,
    objsPerSec: objs / took,
    p50: pct(times, 50),
    p99: pct(times, 99),
    max: times.at(-1),
    failed,
    walks,
    cpuMsPerPage: (cpu * 1000) / times.length,
    pgCpuMsPerPage: (pgCpu * 1000) / times.length,
  };
}

const modes = [
  ['Bearer', (h) => `Bearer ${h.apiKey}`],
  ['Basic', () => `Basic ${Buffer.from('org-a:bench-password').toString('base64')}`],
];
const label = (d) =>
  dists.length > 1
    ? `${d
        .replace(/\/dist\/?$/, '')
        .split('/')
        .pop()} `
    : '';

for (const store of stores) {
  const hubs = [];
  let dirs = [];
  let schemas = [];
  let admin;
  if (store === 'postgres') {
    admin = new pg.Client({ connectionString: PG });
    try {
      await admin.connect();
    } catch (e) {
      process.stdout.write(`postgres: skipped (${PG} unreachable: ${e.message})\n`);
      continue;
    }
  }
  for (const dist of dists) {
    let url;
    let schema;
    if (store === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'dg-bench-hub-'));
      dirs.push(dir);
      url = `sqlite:${join(dir, 'hub.db')}`;
    } else {
      schema = `bench_hub_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      await admin.query(`create schema ${schema}`);
      url = PG;
    }
    const hub = await startHub(dist, url, schema);
    hub.postgres = store === 'postgres';
    process.stdout.write(
      `${store} ${label(dist)}filled ${objects.length} objects in ${hub.fillSecs.toFixed(1)} s  load ${load()}\n`,
    );
    hubs.push([dist, hub]);
  }
  try {
    // Warm-up: JIT, SQL caches, and each build's password cache (one scrypt per credential).
    for (const [, hub] of hubs) for (const [, auth] of modes) await measure(hub, auth(hub), 1);
    for (let round = 0; round < 2; round++)
      for (const [name, auth] of modes)
        for (const [dist, hub] of hubs) {
          const r = await measure(hub, auth(hub), seconds);
          process.stdout.write(
            `${store.padEnd(8)} ${label(dist)}${name.padEnd(6)} limit=${LIMIT} x${CLIENTS}: p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  ${r.perSec.toFixed(0)} pages/s  ${r.objsPerSec.toFixed(0)} objects/s  hub CPU ${r.cpuMsPerPage.toFixed(2)} ms/page${store === 'postgres' ? `  postgres CPU ${r.pgCpuMsPerPage.toFixed(2)} ms/page` : ''}  (${r.n} pages, ${r.walks} full walks${r.failed ? `, ${r.failed} not 200` : ''})  load ${load()}\n`,
          );
        }
  } finally {
    for (const [, hub] of hubs) await hub.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (admin) {
      for (const s of schemas) await admin.query(`drop schema ${s} cascade`);
      await admin.end();
    }
  }
}
