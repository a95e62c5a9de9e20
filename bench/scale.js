// Scale-out throughput (npm run bench:scale): the medium simulation (~970k events) through batch
// analyze, then published to NATS JetStream and consumed by 1 and then 2 worker processes with
// state in PostgreSQL, then the global scoring stage. One table, side by side.
// Needs NATS (JetStream) at $BENCH_NATS_URL (default nats://127.0.0.1:4222) and PostgreSQL at
// $BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each run uses its own
// stream and schema and drops them afterwards. BENCH_SCALE_EVENTS=N measures the first N events.
// CPU seconds come from /proc: the bench process (batch, scoring) and its reaped children (ingest,
// workers); PG/NATS is the servers' CPU meanwhile (shared with anything else using them).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { analyzeFiles } from '../dist/pipeline/index.js';
import { connectNats, deleteStream, scoreScale } from '../dist/pipeline/index.js';
import { simulate } from '../dist/sim/index.js';
import { openScaleStore, scaleProgress } from '../dist/store/index.js';

const NATS = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const PARTITIONS = 16;
const cache = join(tmpdir(), 'distillguard-bench');

async function dataset() {
  const out = join(cache, 'medium');
  const traffic = join(out, 'traffic.ndjson');
  if (!existsSync(traffic)) {
    mkdirSync(out, { recursive: true });
    process.stdout.write(`simulating medium into ${out} ...\n`);
    await simulate({ scale: 'medium', seed: 1, out, gzip: false, corpus: [] });
  }
  const limit = Number(process.env.BENCH_SCALE_EVENTS ?? 0);
  if (!limit) return { traffic, accounts: join(out, 'accounts.ndjson') };
  const prefix = join(out, `traffic-first-${limit}.ndjson`);
  if (!existsSync(prefix)) {
    const w = createWriteStream(prefix);
    let n = 0;
    for await (const line of createInterface({ input: createReadStream(traffic) })) {
      if (n++ >= limit) break;
      if (!w.write(`${line}\n`)) await new Promise((r) => w.once('drain', r));
    }
    await new Promise((r) => w.end(r));
  }
  return { traffic: prefix, accounts: join(out, 'accounts.ndjson') };
}

// CPU seconds, from /proc (Linux; zeros elsewhere). Children's CPU is counted once they exit
// and are reaped (cutime/cstime of this process), so each phase's child processes are measured.
const TICK = 100;
function procTimes(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { self: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK };
  } catch {
    return { self: 0, children: 0 };
  }
}
const ownCpu = () => procTimes('self').self;
const childCpu = () => procTimes('self').children;
/** CPU of the PostgreSQL and NATS servers (shared with anything else using them at the time). */
function serviceCpu() {
  let s = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'nats-server' || comm.startsWith('postgres')) s += procTimes(pid).self;
  }
  return s;
}
const load = () => loadavg()[0].toFixed(1);

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}: ${out}`)),
    );
  });
}

async function admin(text) {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function streamed(files, workers) {
  const tag = randomBytes(4).toString('hex');
  const stream = `DG_BENCH_${tag}`;
  const prefix = `dgbench.${tag}`;
  const schema = `dg_bench_${tag}`;
  const topo = ['--stream', stream, '--subject-prefix', prefix, '--partitions', String(PARTITIONS)];
  await admin(`create schema ${schema}`);
  const db = await openScaleStore({ url: PG, schema, poolSize: 2 });
  const nc = await connectNats(NATS);
  const children = [];
  try {
    let t = performance.now();
    let cpu0 = childCpu();
    let svc0 = serviceCpu();
    const loads = [load()];
    const ingest = JSON.parse(
      await run(
        [
          'ingest',
          files.traffic,
          '--accounts',
          files.accounts,
          '--nats',
          NATS,
          '--json',
          '--no-progress',
          ...topo,
        ],
        {},
      ),
    );
    const ingestS = (performance.now() - t) / 1000;
    const ingestCpu = childCpu() - cpu0;
    const ingestSvc = serviceCpu() - svc0;
    const events = ingest.summary.events;
    loads.push(load());

    t = performance.now();
    cpu0 = childCpu();
    svc0 = serviceCpu();
    for (let i = 0; i < workers; i++) {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'worker',
          '--nats',
          NATS,
          '--database-url',
          PG,
          '--score-every',
          '0',
          '--id',
          `bench-${i}`,
          ...topo,
        ],
        {
          env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', DISTILLGUARD_DB_SCHEMA: schema },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      children.push(child);
    }
    let last = 0;
    for (;;) {
      const p = await scaleProgress(db);
      if (p.events >= events) break;
      if (p.events !== last && process.env.BENCH_VERBOSE) process.stdout.write(`  ${p.events} / ${events}\n`);
      last = p.events;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const consumeS = (performance.now() - t) / 1000;
    loads.push(load());
    const consumeSvc = serviceCpu() - svc0;
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))),
    );
    const consumeCpu = childCpu() - cpu0;

    t = performance.now();
    cpu0 = ownCpu();
    const findings = await scoreScale(db, { force: true });
    const scoreS = (performance.now() - t) / 1000;
    const scoreCpu = ownCpu() - cpu0;
    loads.push(load());
    const round = (x) => Math.round(x * 10) / 10;
    return {
      events,
      accounts: findings?.input.accounts ?? 0,
      ingestS: round(ingestS),
      consumeS: round(consumeS),
      scoreS: round(scoreS),
      ingestCpu: round(ingestCpu),
      consumeCpu: round(consumeCpu),
      scoreCpu: round(scoreCpu),
      ingestServiceCpu: round(ingestSvc),
      consumeServiceCpu: round(consumeSvc),
      loads,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db.destroy();
    await deleteStream(nc, stream);
    await nc.close();
    await admin(`drop schema if exists ${schema} cascade`);
  }
}

const files = await dataset();
const rows = [];
let t = performance.now();
const batchLoads = [load()];
const batchCpu0 = ownCpu();
const batch = await analyzeFiles([files.traffic], { accounts: [files.accounts] });
const batchS = (performance.now() - t) / 1000;
const batchCpu = ownCpu() - batchCpu0;
batchLoads.push(load());
const n = batch.report.events;
rows.push([
  'batch analyze (1 process)',
  '-',
  '-',
  `${Math.round(n / batchS)}`,
  `${batchS.toFixed(1)}`,
  `${batchCpu.toFixed(0)}`,
  batchLoads.join('→'),
]);
process.stdout.write(`batch: ${n} events in ${batchS.toFixed(1)} s, ${batchCpu.toFixed(1)} CPU s\n`);
for (const w of [1, 2]) {
  const r = await streamed(files, w);
  const total = r.consumeS + r.scoreS;
  process.stdout.write(`${w} worker(s): ${JSON.stringify(r)}\n`);
  rows.push([
    `${w} worker${w > 1 ? 's' : ''} (${PARTITIONS} partitions)`,
    `${Math.round(r.events / r.ingestS)}`,
    `${Math.round(r.events / r.consumeS)}`,
    `${Math.round(r.events / total)}`,
    `${r.consumeS.toFixed(1)} + ${r.scoreS.toFixed(1)} scoring`,
    `${r.ingestCpu.toFixed(0)} ingest, ${r.consumeCpu.toFixed(0)} workers (+${r.consumeServiceCpu.toFixed(0)} PG/NATS), ${r.scoreCpu.toFixed(0)} scoring`,
    r.loads.join('→'),
  ]);
}
const head = [
  'path',
  'ingest→NATS ev/s',
  'workers ev/s',
  'end-to-end ev/s',
  'seconds',
  'CPU seconds',
  'load avg (1 min)',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
process.stdout.write(
  `\n${n} events\n${line(head)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}\n`,
);
