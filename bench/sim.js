// Simulator throughput and peak memory (npm run bench, or node bench/sim.js [--scale small,medium] [--gzip]).
// Each scale runs in a fresh process writing to a temp directory, which is removed afterwards;
// figures: events, wall and CPU seconds, events per CPU second, peak RSS, file size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, args } from './args.js';

const dist = new URL('../dist/', import.meta.url);

if (process.env.BENCH_ROLE === 'sim') {
  const { simulate } = await import(new URL('sim/index.js', dist).href);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const summary = await simulate({
    scale: process.env.BENCH_SCALE,
    seed: 1,
    out: process.env.BENCH_OUT,
    gzip: process.env.BENCH_GZIP === '1',
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  process.stdout.write(
    JSON.stringify({
      events: summary.events,
      accounts: summary.accounts,
      secs,
      cpuSecs: (cpu.user + cpu.system) / 1e6,
      maxRssKb: process.resourceUsage().maxRSS,
      bytes: statSync(summary.files.traffic).size,
    }),
  );
  process.exit(0);
}

const scales = String(arg('scale', 'small,medium')).split(',');
const gzip = args.includes('--gzip');
process.stdout.write(
  `cpus ${cpus().length}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
for (const scale of scales) {
  const out = mkdtempSync(join(tmpdir(), `bench-sim-${scale}-`));
  try {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: {
        ...process.env,
        BENCH_ROLE: 'sim',
        BENCH_SCALE: scale,
        BENCH_OUT: out,
        BENCH_GZIP: gzip ? '1' : '0',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) {
      process.stdout.write(`simulate ${scale} failed (${r.status ?? r.signal})\n`);
      process.exitCode = 1;
      continue;
    }
    const m = JSON.parse(r.stdout);
    process.stdout.write(
      `simulate ${scale.padEnd(6)} ${m.events.toLocaleString('en-US')} events, ${m.accounts.toLocaleString('en-US')} accounts: ` +
        `${m.secs.toFixed(1)} s wall, ${m.cpuSecs.toFixed(1)} s CPU, ${Math.round(m.events / m.cpuSecs).toLocaleString('en-US')} events/CPU-s, ` +
        `peak RSS ${Math.round(m.maxRssKb / 1024)} MiB, ${(m.bytes / 1e6).toFixed(0)} MB${gzip ? ' gzip' : ''}\n`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
