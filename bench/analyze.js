// Analyze throughput, end to end (read, validate, features, detectors, linkage), on the medium
// simulation, and peak memory on the large one (BENCH_LARGE=1). Run by `npm run bench`.
// Each measurement runs in its own process, so its peak RSS (worker threads included, from
// process.resourceUsage().maxRSS) is that run's alone. Beside analyze, on the same file in the
// same run: the floor of reading it (readline + JSON.parse + a per-account count and IP set, one
// core) and a columnar engine's pass (DuckDB read_json + per-account GROUP BY with
// count(distinct ip)), and analyze's ratio to each, in wall time and in CPU per event (the
// machine is shared: CPU-seconds per event is the figure that does not move with the load).
//   node bench/analyze.js [--scale medium,large] [--threads 1,2,<cores>] [--baselines floor,duckdb]
//     [--compare <other build's dist> [--rounds 3]]
// --compare measures another build (e.g. main's, built into a directory of its own) alternately
// with this one, round by round on the same file, and prints both builds' CPU per event and
// their ratio: on a shared machine only runs interleaved like that are comparable.
// Datasets are simulated once (seed 1) into $TMPDIR/distillguard-bench/<scale> and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cache = join(tmpdir(), 'distillguard-bench');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

async function dataset(scale) {
  const out = join(cache, scale);
  const traffic = join(out, 'traffic.ndjson');
  if (!existsSync(join(out, 'truth.json')) || !existsSync(traffic)) {
    mkdirSync(out, { recursive: true });
    process.stdout.write(`simulating ${scale} into ${out} ...\n`);
    const { simulate } = await import('../dist/sim/index.js');
    await simulate({ scale, seed: 1, out, gzip: false, corpus: [] });
  }
  return { traffic, accounts: join(out, 'accounts.ndjson') };
}

/** The measured run, in a child process: prints one JSON line. */
async function child(scale, threads, dist) {
  const { analyzeFiles } = await import(pathToFileURL(join(dist, 'pipeline', 'index.js')).href);
  const files = await dataset(scale);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  let ingestEnd = started;
  const { report, detail } = await analyzeFiles([files.traffic], {
    accounts: [files.accounts],
    threads: threads === 'auto' ? undefined : Number(threads),
    onProgress: () => (ingestEnd = process.hrtime.bigint()),
  });
  const ended = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({
      events: report.events,
      accounts: detail.findings.input.accounts,
      seconds: Number(ended - started) / 1e9,
      ingestSeconds: Number(ingestEnd - started) / 1e9,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      // Other processes share the cores: the 1-minute load average says how much wall time means.
      load: loadavg()[0],
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

/** The floor: readline + JSON.parse of every line, a count and an IP set per account. */
async function childFloor(scale) {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const files = await dataset(scale);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const accounts = new Map();
  let events = 0;
  const lines = createInterface({ input: createReadStream(files.traffic), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const e = JSON.parse(line);
    events++;
    let a = accounts.get(e.account_id);
    if (!a) accounts.set(e.account_id, (a = { n: 0, ips: new Set() }));
    a.n++;
    if (e.client?.ip) a.ips.add(e.client.ip);
  }
  report(started, cpu0, { events, accounts: accounts.size });
}

/** DuckDB's pass: read_json and a per-account GROUP BY with count(distinct ip). */
async function childDuckdb(scale, threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const files = await dataset(scale);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  const path = files.traffic.replaceAll("'", "''");
  const reader = await con.runAndReadAll(
    `SELECT count(*) AS accounts, sum(n) AS events FROM (
       SELECT account_id, count(*) AS n, count(DISTINCT client.ip) AS ips
       FROM read_json('${path}', format = 'newline_delimited', maximum_object_size = 16777216,
         columns = {account_id: 'VARCHAR', client: 'STRUCT(ip VARCHAR)'})
       GROUP BY account_id)`,
  );
  const [row] = reader.getRowObjects();
  report(started, cpu0, { events: Number(row.events), accounts: Number(row.accounts) });
}

function report(started, cpu0, counts) {
  const ended = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(ended - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({
      ...counts,
      seconds,
      ingestSeconds: seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      load: loadavg()[0],
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

/** Runs one measurement in its own process; returns its figures. */
function run(args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    process.stdout.write(r.stdout);
    throw new Error(`${args.join(' ')} failed (${r.status ?? r.signal})`);
  }
  return JSON.parse(line);
}

const perCpu = (m) => `${Math.round(m.events / m.cpuSeconds)} events per CPU-second`;
const microsPerEvent = (m) => `${((m.cpuSeconds * 1e6) / m.events).toFixed(1)} µs CPU/event`;

function baseline(scale, kind) {
  const m = run(kind === 'floor' ? ['--child-floor', scale] : ['--child-duckdb', scale, '--threads', '2']);
  const what =
    kind === 'floor'
      ? 'floor: readline + JSON.parse + per-account count and IP set (1 core)'
      : 'DuckDB read_json + per-account GROUP BY, count(distinct ip) (2 threads)';
  process.stdout.write(
    `${what}: ${m.events} events, ${m.accounts} accounts in ${m.seconds.toFixed(1)} s = ` +
      `${Math.round(m.events / m.seconds)} events/s; ${m.cpuSeconds.toFixed(1)} s CPU = ${perCpu(m)} ` +
      `(${microsPerEvent(m)}); peak RSS ${m.maxRssMiB.toFixed(0)} MiB; load ${m.load.toFixed(1)}\n`,
  );
  return m;
}

const thisDist = fileURLToPath(new URL('../dist', import.meta.url));

function measure(scale, threads, dist = thisDist, label = '') {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', scale, '--threads', threads, '--dist', dist],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    process.stdout.write(r.stdout);
    throw new Error(`analyze ${scale} failed (${r.status ?? r.signal})`);
  }
  const m = JSON.parse(line);
  process.stdout.write(
    `analyze${label} ${scale} (threads ${threads}): ${m.events} events, ${m.accounts} accounts in ${m.seconds.toFixed(1)} s = ` +
      `${Math.round(m.events / m.seconds)} events/s end to end (read+features ${m.ingestSeconds.toFixed(1)} s, ` +
      `scoring ${(m.seconds - m.ingestSeconds).toFixed(1)} s; ${m.cpuSeconds.toFixed(1)} s CPU = ` +
      `${Math.round(m.events / m.cpuSeconds)} events per CPU-second, ${microsPerEvent(m)}); peak RSS ` +
      `${m.maxRssMiB.toFixed(0)} MiB; load ${m.load.toFixed(1)} on ${availableParallelism()} cores\n`,
  );
  return m;
}

/** analyze's ratio to a baseline: how many times slower, in wall time and in CPU per event. */
function ratio(name, a, b) {
  const wall = a.seconds / a.events / (b.seconds / b.events);
  const cpu = a.cpuSeconds / a.events / (b.cpuSeconds / b.events);
  process.stdout.write(
    `  vs ${name}: ${wall.toFixed(1)}× the wall time, ${cpu.toFixed(1)}× the CPU per event\n`,
  );
}

/** This build against another, alternating, `rounds` times per thread count. */
function compareBuilds(scale, threads, other, rounds) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const us = (m) => (m.cpuSeconds * 1e6) / m.events;
  for (const t of threads) {
    const mine = [];
    const theirs = [];
    for (let r = 0; r < rounds; r++) {
      theirs.push(us(measure(scale, t, other, ` [${other}]`)));
      mine.push(us(measure(scale, t, thisDist, ' [this build]')));
    }
    process.stdout.write(
      `threads ${t}: this build ${median(mine).toFixed(1)} µs CPU/event (median of ${rounds}), ` +
        `${other} ${median(theirs).toFixed(1)}: ${(median(mine) / median(theirs)).toFixed(2)}×\n`,
    );
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], arg('threads', 'auto'), arg('dist', thisDist));
} else if (process.argv[2] === '--child-floor') {
  await childFloor(process.argv[3]);
} else if (process.argv[2] === '--child-duckdb') {
  await childDuckdb(process.argv[3], Number(arg('threads', '2')));
} else {
  const scales = String(arg('scale', process.env.BENCH_LARGE === '1' ? 'medium,large' : 'medium')).split(',');
  // Scaling with threads: one, two, and every core of the machine.
  const cores = String(availableParallelism());
  const threads = [...new Set(String(arg('threads', `1,2,${cores}`)).split(','))];
  const baselines = String(arg('baselines', 'floor,duckdb')).split(',').filter(Boolean);
  process.stdout.write(
    `uptime load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} on ${cores} cores\n`,
  );
  const compare = arg('compare', '');
  for (const scale of scales) {
    await dataset(scale);
    if (compare) {
      compareBuilds(scale, threads, resolve(compare), Number(arg('rounds', '3')));
      continue;
    }
    const base = Object.fromEntries(baselines.map((k) => [k, baseline(scale, k)]));
    for (const t of threads) {
      const m = measure(scale, t);
      for (const [k, b] of Object.entries(base)) ratio(k === 'floor' ? 'the floor' : 'DuckDB', m, b);
    }
  }
  if (!scales.includes('large'))
    process.stdout.write(
      'large: skipped (BENCH_LARGE=1 or --scale large measures peak memory on ~10M events)\n',
    );
}
