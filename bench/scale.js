// Scale-out throughput (npm run bench:scale). Two modes:
//
// live (the default): workers (`distillguard worker`, 1 and then 2 of them) are consuming before
// `distillguard ingest --nats` publishes, as in production; ingest publishes (a) paced with
// --rate (default 5,000 events/s) and (b) at full speed. Beside it, batch analyze (one thread) on
// the same events in the same run. For each run: first publish -> final findings (every event
// applied and a scoring round over them), the tail after the last publish (-> last event
// applied, -> findings covering every event), per-worker events/s and CPU per event against
// batch per thread, and the load average. On the small simulation (~105k events) by default.
//
//   node bench/scale.js [--events 50000] [--rate 5000,full] [--workers 1,2] [--score-every 5s] [--scale small]
//     [--compare DIST] [--repeat 1] [--ack-wait 30s]
//
// --compare DIST (live mode): every run is made twice in a row, once with another build's CLI
// (DIST/cli/main.js, say a copy of main's dist/) for ingest and the workers and once with this
// one, alternating which goes first, so old and new are measured side by side in one run under
// the same load; --repeat N does the whole set N times.
//
// --ack-wait D (live mode): the workers' consumers' ack wait (`worker --ack-wait`), to see what
// messages held past a short one cost (redelivered copies, in-progress marks).
//
// filled (--mode filled, the earlier bench): the medium simulation (~970k events) published to
// the stream first, then consumed by 1 and then 2 worker processes, then the global stage.
//
// rounds (--mode rounds): what one scoring round costs when few accounts changed. One worker
// (no scoring of its own) applies the first N events; the bench process then scores once with a
// ScoringStates (reads every account), and --repeat times publishes --change more events and
// times an incremental round (rows written since) and a full reload (every account, as every
// round did before incremental scoring), alternating which goes first.
//
//   node bench/scale.js --mode rounds [--events 30000] [--change 100] [--repeat 3]
//
// Needs NATS (JetStream) at $BENCH_NATS_URL (default nats://127.0.0.1:4222) and PostgreSQL at
// $BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each run uses its own
// stream and schema and drops them afterwards. --events N (or BENCH_SCALE_EVENTS=N) measures the
// first N events. CPU seconds come from /proc: the bench process (batch, scoring), its children
// (ingest, workers); PG/NATS is the servers' CPU meanwhile (shared with anything else using them).
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
import {
  connectNats,
  deleteStream,
  scoreScale,
  scoreScaleDetail,
  ScoringStates,
} from '../dist/pipeline/index.js';
import { simulate } from '../dist/sim/index.js';
import { latestScaleFindings, openScaleStore, scaleProgress } from '../dist/store/index.js';

const NATS = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** Another build's CLI measured beside this one (--compare DIST), or null. */
const COMPARE = (() => {
  const i = process.argv.indexOf('--compare');
  return i > 0 ? join(process.argv[i + 1], 'cli', 'main.js') : null;
})();
const PARTITIONS = 16;
const cache = join(tmpdir(), 'distillguard-bench');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MODE = arg('mode', 'live');
const SCALE = arg('scale', MODE === 'filled' ? 'medium' : 'small');
// The live runs publish paced, so the whole small simulation would take minutes per run: 50k by default.
const EVENTS = Number(
  arg(
    'events',
    process.env.BENCH_SCALE_EVENTS ?? (MODE === 'live' ? 50_000 : MODE === 'rounds' ? 30_000 : 0),
  ),
);
// Each live run's publishing: events per second (ingest --rate), or `full` (as fast as ingest can).
const RATES = String(arg('rate', '5000,full'))
  .split(',')
  .map((r) => (r === 'full' ? null : Number(r)));
const WORKERS = String(arg('workers', '1,2')).split(',').map(Number);
const SCORE_EVERY = arg('score-every', '5s');
// The consumers' ack wait (the workers create them: `worker --ack-wait`), default the worker's 30 s.
const ACK_WAIT = arg('ack-wait', null);

async function dataset() {
  const out = join(cache, SCALE);
  const traffic = join(out, 'traffic.ndjson');
  if (!existsSync(traffic)) {
    mkdirSync(out, { recursive: true });
    process.stdout.write(`simulating ${SCALE} into ${out} ...\n`);
    await simulate({ scale: SCALE, seed: 1, out, gzip: false, corpus: [] });
  }
  const limit = EVENTS;
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

/** The `ingest` command that publishes `traffic` (and `accounts`) to the bench's stream. */
const ingestArgs = (traffic, accounts, topo, extra = []) => [
  'ingest',
  traffic,
  ...(accounts ? ['--accounts', accounts] : []),
  '--nats',
  NATS,
  '--json',
  '--no-progress',
  // Rejected lines (none expected) go beside the cached events, not into the caller's directory.
  '--quarantine',
  join(cache, 'ingest.quarantine.ndjson'),
  ...extra,
  ...topo,
];

/** The `worker` command that consumes the bench's stream into its PostgreSQL schema. */
const workerArgs = (id, topo, scoreEvery, extra = []) => [
  'worker',
  '--nats',
  NATS,
  '--database-url',
  PG,
  '--score-every',
  scoreEvery,
  '--id',
  id,
  ...extra,
  ...topo,
];

function run(args, env = {}, cli = CLI) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
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

/** A stream, subject prefix and PostgreSQL schema of their own for one measured run. */
async function benchDeployment() {
  const tag = randomBytes(4).toString('hex');
  const stream = `DG_BENCH_${tag}`;
  const schema = `dg_bench_${tag}`;
  const topo = ['--stream', stream, '--subject-prefix', `dgbench.${tag}`, '--partitions', String(PARTITIONS)];
  await admin(`create schema ${schema}`);
  const db = await openScaleStore({ url: PG, schema, poolSize: 2 });
  const nc = await connectNats(NATS);
  const teardown = async () => {
    await db.destroy();
    await deleteStream(nc, stream);
    await nc.close();
    await admin(`drop schema if exists ${schema} cascade`);
  };
  return { schema, topo, db, teardown };
}

async function streamed(files, workers) {
  const { schema, topo, db, teardown } = await benchDeployment();
  const children = [];
  try {
    let t = performance.now();
    let cpu0 = childCpu();
    let svc0 = serviceCpu();
    const loads = [load()];
    const ingest = JSON.parse(await run(ingestArgs(files.traffic, files.accounts, topo), {}));
    const ingestS = (performance.now() - t) / 1000;
    const ingestCpu = childCpu() - cpu0;
    const ingestSvc = serviceCpu() - svc0;
    const events = ingest.summary.events;
    loads.push(load());

    t = performance.now();
    cpu0 = childCpu();
    svc0 = serviceCpu();
    for (let i = 0; i < workers; i++) {
      const child = spawn(process.execPath, [CLI, ...workerArgs(`bench-${i}`, topo, '0')], {
        env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', DISTILLGUARD_DB_SCHEMA: schema },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
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
    await teardown();
  }
}

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return `${line(head)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}\n`;
}

async function filledMain(files) {
  const rows = [];
  const t = performance.now();
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
  for (const w of WORKERS) {
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
  process.stdout.write(`\n${n} events\n${table(head, rows)}`);
}

// ---- live mode ---------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const uptime = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

/** A `distillguard worker` process; resolves with it and its metrics URL once it consumes. */
function spawnWorker(id, topo, schema, scoreEvery = SCORE_EVERY, cli = CLI) {
  // BENCH_PROFILE=worker: each worker writes a CPU profile on its graceful stop (bench/profile-summary.js reads it).
  const profile =
    process.env.BENCH_PROFILE === 'worker' ? ['--cpu-prof', '--cpu-prof-dir', join(cache, 'profiles')] : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      cli,
      ...workerArgs(id, topo, scoreEvery, [
        '--metrics-port',
        '0',
        '--metrics-host',
        '127.0.0.1',
        ...(ACK_WAIT ? ['--ack-wait', ACK_WAIT] : []),
      ]),
    ],
    {
      env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', DISTILLGUARD_DB_SCHEMA: schema },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const ready = new Promise((resolve, reject) => {
    const check = () => {
      const m = /metrics on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`worker ${id} exited ${code}: ${out}`)));
  });
  return { child, ready, output: () => out };
}

/** Sums of the Prometheus series named `name` (all label sets) from a worker's /metrics. */
async function metric(url, name) {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

/**
 * Workers first, then `ingest` (paced at `rate` events/s, or full speed when null). Returns the
 * timeline (epoch ms) and the CPU figures.
 */
async function live(files, workers, rate, cli = CLI) {
  const { schema, topo, db, teardown } = await benchDeployment();
  const poll = new pg.Client({ connectionString: PG });
  await poll.connect();
  await poll.query(`set search_path to ${schema}`);
  const procs = [];
  try {
    for (let i = 0; i < workers; i++) procs.push(spawnWorker(`live-${i}`, topo, schema, SCORE_EVERY, cli));
    const metrics = await Promise.all(procs.map((p) => p.ready));
    // Every partition leased and shared out before anything is published: the live case.
    for (let i = 0; ; i++) {
      const p = await scaleProgress(db);
      const owners = new Set(p.partitions.map((x) => x.owner));
      if (p.partitions.length === PARTITIONS && !owners.has(null) && owners.size === workers) break;
      if (i > 600) throw new Error(`workers did not share the partitions: ${JSON.stringify(p.partitions)}`);
      await sleep(100);
    }
    const workerCpu0 = procs.map((p) => procTimes(p.child.pid).self);
    const svc0 = serviceCpu();
    const cpu0 = childCpu();
    const loads = [uptime()];
    const ingest = JSON.parse(
      await run(
        ingestArgs(files.traffic, files.accounts, topo, rate ? ['--rate', String(rate)] : []),
        {},
        cli,
      ),
    );
    const ingestCpu = childCpu() - cpu0;
    const events = ingest.summary.events;
    const firstSent = Date.parse(ingest.published.first_sent_at);
    const lastStored = Date.parse(ingest.published.last_stored_at);
    loads.push(uptime());
    // Every event applied (seen by polling every 50 ms), then a scoring round over all of them.
    let appliedAt = null;
    let versionAll = null;
    let findingsAt = null;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      if (appliedAt === null) {
        const p = await scaleProgress(db);
        if (p.events >= events) {
          appliedAt = Date.now();
          versionAll = p.version;
        }
      }
      if (appliedAt !== null && SCORE_EVERY === '0') {
        // Workers do not score: the bench runs the global stage once, as the filled mode does.
        await scoreScale(db, { force: true });
        findingsAt = Date.now();
        break;
      }
      if (appliedAt !== null) {
        const [s] = (await poll.query('select scored_version, scored_at from scale_scoring where id = 1'))
          .rows;
        if (s && Number(s.scored_version) >= versionAll) {
          findingsAt = Number(s.scored_at);
          break;
        }
      }
      await sleep(50);
    }
    if (findingsAt === null) throw new Error(`not done in 300 s: applied at ${appliedAt}`);
    loads.push(uptime());
    const findings = await latestScaleFindings(db);
    const svc = serviceCpu() - svc0;
    const per = [];
    for (const [i, p] of procs.entries()) {
      const url = metrics[i];
      per.push({
        cpu: procTimes(p.child.pid).self - workerCpu0[i],
        applied: await metric(url, 'distillguard_worker_events_applied_total'),
        scoringS: await metric(url, 'distillguard_worker_scoring_seconds_sum'),
        scorings: await metric(url, 'distillguard_worker_scoring_seconds_count'),
        gaps: await metric(url, 'distillguard_worker_gaps_total'),
        // Redelivered copies dropped from batches (absent, 0, in builds before they were).
        copies: await metric(url, 'distillguard_worker_copies_total'),
        // Messages marked in progress while held (absent, 0, in builds before the puller marked them).
        marks: await metric(url, 'distillguard_worker_in_progress_marks_total'),
        // Account state rows its scoring rounds read (absent, 0, in builds before incremental scoring).
        rowsLoaded: await metric(url, 'distillguard_worker_scoring_rows_loaded_total'),
      });
    }
    return {
      events,
      findingsEvents: findings?.input.events ?? 0,
      ingestCpu,
      serviceCpu: svc,
      firstSent,
      lastStored,
      appliedAt,
      findingsAt,
      publishS: (lastStored - firstSent) / 1000,
      workers: per,
      loads,
    };
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => new Promise((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', r)))),
    );
    await poll.end();
    await teardown();
  }
}

async function liveMain(files) {
  process.stdout.write(`uptime before batch: load average ${uptime()}\n`);
  const t = performance.now();
  const cpu0 = ownCpu();
  const batchLoad0 = uptime();
  const batch = await analyzeFiles([files.traffic], { accounts: [files.accounts], threads: 1 });
  const batchS = (performance.now() - t) / 1000;
  const batchCpu = ownCpu() - cpu0;
  const n = batch.report.events;
  const batchRate = n / batchS;
  const batchPerCpu = n / batchCpu;
  process.stdout.write(
    `batch analyze, 1 thread: ${n} events in ${batchS.toFixed(1)} s (${Math.round(batchRate)} ev/s, ${Math.round(batchPerCpu)} ev per CPU s), load ${batchLoad0} → ${uptime()}\n`,
  );
  const rows = [
    [
      'batch analyze (1 thread)',
      '-',
      `${batchS.toFixed(1)}`,
      '-',
      '-',
      `${Math.round(batchRate)} ev/s (one thread); ${Math.round(batchPerCpu)} ev/CPU s`,
      '1.00',
      `${batchCpu.toFixed(1)}`,
      `${batchLoad0} → ${uptime()}`,
    ],
  ];
  // With --compare: each (rate, workers) run twice in a row, old and new, alternating which goes first.
  const variants = COMPARE
    ? [
        ['old', COMPARE],
        ['new', CLI],
      ]
    : [[null, CLI]];
  const repeat = COMPARE ? Number(arg('repeat', '1')) : 1;
  const perCpu = new Map();
  let k = 0;
  for (let rep = 0; rep < repeat; rep++)
    for (const rate of RATES) {
      for (const w of WORKERS) {
        const order = k++ % 2 === 0 ? variants : [...variants].reverse();
        for (const [label, cli] of order) {
          const r = await live(files, w, rate, cli);
          const name = `${label ? `${label}, ` : ''}${w} worker${w > 1 ? 's' : ''}, ${rate ? `--rate ${rate}` : 'full speed'}`;
          process.stdout.write(`${name}: ${JSON.stringify(r)}\n`);
          const s = (ms) => (ms / 1000).toFixed(1);
          const wallS = (r.appliedAt - r.firstSent) / 1000;
          const cpuAll = r.workers.reduce((a, x) => a + x.cpu, 0);
          const key = `${label ?? ''} ${w}`;
          perCpu.set(key, [...(perCpu.get(key) ?? []), r.events / cpuAll]);
          rows.push([
            name,
            `${Math.round(r.events / r.publishS)}`,
            s(r.findingsAt - r.firstSent),
            s(r.appliedAt - r.lastStored),
            s(r.findingsAt - r.lastStored),
            r.workers
              .map(
                (x) =>
                  `${Math.round(x.applied / wallS)} ev/s; ${Math.round(x.applied / Math.max(x.cpu, 1e-3))} ev/CPU s`,
              )
              .join(' + '),
            r.workers.map((x) => (x.applied / Math.max(x.cpu, 1e-3) / batchPerCpu).toFixed(2)).join(' + '),
            `${r.workers.map((x) => `${x.cpu.toFixed(1)} (${x.scorings} scorings, ${x.scoringS.toFixed(1)} s wall${x.rowsLoaded ? `, ${x.rowsLoaded} rows read` : ''})`).join(' + ')}; ingest ${r.ingestCpu.toFixed(1)}; PG/NATS ${r.serviceCpu.toFixed(1)}`,
            r.loads.join(' → '),
          ]);
          if (r.findingsEvents !== r.events)
            process.stdout.write(`  (findings cover ${r.findingsEvents} of ${r.events} events)\n`);
          // Each held-back batch's facts are in the workers' warn log (on stderr).
          if (r.workers.some((x) => x.gaps > 0))
            process.stdout.write(`  (batches held back: ${r.workers.map((x) => x.gaps).join(' + ')})\n`);
          if (r.workers.some((x) => x.copies > 0))
            process.stdout.write(
              `  (redelivered copies dropped: ${r.workers.map((x) => x.copies).join(' + ')})\n`,
            );
          if (r.workers.some((x) => x.marks > 0))
            process.stdout.write(
              `  (messages marked in progress: ${r.workers.map((x) => x.marks).join(' + ')})\n`,
            );
        }
      }
    }
  // Events per worker CPU second over all runs of each build and worker count (all workers' CPU
  // together): new against old, and n workers against one — with a core per worker, n workers
  // keep up with n × this per-CPU figure only if it stays the same (the 1.6× bar for two).
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [key, xs] of perCpu)
    process.stdout.write(
      `${key.trim() || 'this build'} worker(s): ${Math.round(mean(xs))} events per worker CPU s (${(mean(xs) / batchPerCpu).toFixed(2)}× batch per thread) over ${xs.length} run(s)\n`,
    );
  const head = [
    'run',
    'published ev/s',
    'first publish → findings s',
    'last publish → last applied s',
    'last publish → findings s',
    'per worker: ev/s (first publish → last applied); ev per CPU s (its scoring included)',
    'ev per CPU s × batch',
    'CPU s: workers (scoring); ingest; PG/NATS',
    'load average (uptime) start → published → findings',
  ];
  process.stdout.write(
    `\n${n} events, ${PARTITIONS} partitions, workers --score-every ${SCORE_EVERY}\n${table(head, rows)}`,
  );
}

// ---- rounds mode -------------------------------------------------------------------------------

/** Lines from..to of the whole simulated traffic, in a file of their own (cached). */
async function trafficSlice(from, to) {
  const out = join(cache, SCALE, `traffic-${from}-${to}.ndjson`);
  if (existsSync(out)) return out;
  const w = createWriteStream(out);
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(join(cache, SCALE, 'traffic.ndjson')),
  })) {
    if (n >= to) break;
    if (n++ >= from && !w.write(`${line}\n`)) await new Promise((r) => w.once('drain', r));
  }
  await new Promise((r) => w.end(r));
  return out;
}

async function roundsMain(files) {
  const change = Number(arg('change', '100'));
  const repeat = Number(arg('repeat', '3'));
  const { schema, topo, db, teardown } = await benchDeployment();
  const worker = spawnWorker('rounds-0', topo, schema, '0');
  const ingest = async (traffic, accounts) =>
    JSON.parse(await run(ingestArgs(traffic, accounts, topo))).summary.events;
  const applied = async (n) => {
    while ((await scaleProgress(db)).events < n) await sleep(50);
  };
  const states = new ScoringStates();
  const timed = async (name, opts) => {
    const load0 = uptime();
    const cpu0 = ownCpu();
    const t = performance.now();
    const d = await scoreScaleDetail(db, { ...opts, force: true });
    return {
      name,
      rows: opts.states ? opts.states.lastRowsLoaded : null,
      accounts: d.findings.accounts.length,
      events: d.findings.input.events,
      s: (performance.now() - t) / 1000,
      cpu: ownCpu() - cpu0,
      load: `${load0} → ${uptime()}`,
    };
  };
  const rows = [];
  try {
    await worker.ready;
    let total = await ingest(files.traffic, files.accounts);
    await applied(total);
    rows.push(await timed('first round (reads every account)', { states }));
    for (let i = 0; i < repeat; i++) {
      const extra = await trafficSlice(EVENTS + i * change, EVENTS + (i + 1) * change);
      total += await ingest(extra);
      await applied(total);
      const inc = () => timed(`+${change} events: incremental`, { states });
      const full = () => timed(`+${change} events: full reload`, {});
      if (i % 2 === 0) rows.push(await inc(), await full());
      else rows.push(await full(), await inc());
    }
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
    await new Promise((r) => (worker.child.exitCode !== null ? r() : worker.child.once('exit', r)));
    await teardown();
  }
  const head = [
    'round',
    'rows read',
    'accounts scored',
    'events',
    'wall s',
    'CPU s (bench process)',
    'load average',
  ];
  process.stdout.write(
    `\n${table(
      head,
      rows.map((r) => [
        r.name,
        r.rows === null ? 'all' : String(r.rows),
        String(r.accounts),
        String(r.events),
        r.s.toFixed(2),
        r.cpu.toFixed(2),
        r.load,
      ]),
    )}`,
  );
}

const files = await dataset();
if (MODE === 'filled') await filledMain(files);
else if (MODE === 'live') await liveMain(files);
else if (MODE === 'rounds') await roundsMain(files);
else throw new Error(`--mode live, filled or rounds, not ${MODE}`);
