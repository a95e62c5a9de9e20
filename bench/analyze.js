// Analyze throughput, end to end (read, validate, features, detectors, linkage), on the medium
// simulation, and peak memory on the large one (BENCH_LARGE=1). Run by `npm run bench`.
// Each measurement runs in its own process, so its peak RSS (worker threads included, from
// process.resourceUsage().maxRSS) is that run's alone.
//   node bench/analyze.js [--scale medium,large] [--threads auto,1]
// Datasets are simulated once (seed 1) into $TMPDIR/distillguard-bench/<scale> and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
async function child(scale, threads) {
  const { analyzeFiles } = await import('../dist/pipeline/index.js');
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

function measure(scale, threads) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', scale, '--threads', threads],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    process.stdout.write(r.stdout);
    throw new Error(`analyze ${scale} failed (${r.status ?? r.signal})`);
  }
  const m = JSON.parse(line);
  process.stdout.write(
    `analyze ${scale} (threads ${threads}): ${m.events} events, ${m.accounts} accounts in ${m.seconds.toFixed(1)} s = ` +
      `${Math.round(m.events / m.seconds)} events/s end to end (read+features ${m.ingestSeconds.toFixed(1)} s, ` +
      `scoring ${(m.seconds - m.ingestSeconds).toFixed(1)} s; ${m.cpuSeconds.toFixed(1)} s CPU = ` +
      `${Math.round(m.events / m.cpuSeconds)} events per CPU-second); peak RSS ${m.maxRssMiB.toFixed(0)} MiB; ` +
      `load ${m.load.toFixed(1)} on ${availableParallelism()} cores\n`,
  );
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], arg('threads', 'auto'));
} else {
  const scales = String(arg('scale', process.env.BENCH_LARGE === '1' ? 'medium,large' : 'medium')).split(',');
  const threads = String(arg('threads', 'auto')).split(',');
  for (const scale of scales) {
    await dataset(scale);
    for (const t of threads) measure(scale, t);
  }
  if (!scales.includes('large'))
    process.stdout.write(
      'large: skipped (BENCH_LARGE=1 or --scale large measures peak memory on ~10M events)\n',
    );
}
