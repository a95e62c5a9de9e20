// Ingest throughput and peak memory on the medium file (npm run bench, or node bench/ingest.js).
// The medium file comes from the simulator (`simulate --scale medium --seed 1`) when the built CLI
// has it, else from a synthetic generator of similar events; it is cached under the OS temp dir.
// Each measurement runs in a fresh process so peak RSS is the reader's own.
// Usage: node bench/ingest.js [--file PATH] [--synthetic N] [--no-gzip]
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { arg, args } from './args.js';

const dist = new URL('../dist/', import.meta.url);
const self = fileURLToPath(import.meta.url);

if (process.env.BENCH_ROLE === 'ingest') {
  // Child: read the file to the end through the public reader, report figures as JSON.
  const { readInput, IngestReport } = await import(new URL('ingest/index.js', dist).href);
  const report = new IngestReport();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let events = 0;
  const count = (batch) => void (events += batch.length);
  await readInput([process.env.BENCH_FILE], { accounts: () => undefined, events: count }, { report });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      events,
      secs,
      cpuSecs,
      rejected: report.rejectedLines,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

if (process.env.BENCH_ROLE === 'synthetic') {
  // Child: write N events shaped like the simulator's (system + user turns, params, response).
  const n = Number(process.env.BENCH_N);
  const out = createWriteStream(process.env.BENCH_FILE);
  const topics = ['entropy', 'sorting', 'tax law', 'sourdough', 'TCP', 'photosynthesis', 'Kant', 'SQL joins'];
  const t = Date.UTC(2026, 10, 1);
  for (let i = 0; i < n; i++) {
    const topic = topics[i % topics.length];
    const e = {
      id: `evt-${i.toString(36)}`,
      ts: new Date(t + i * 37).toISOString(),
      account_id: `acct-${(i * 7919) % 18000}`,
      api_key_id: `key-${(i * 7919) % 18000}`,
      model: i % 3 ? 'm-large' : 'm-small',
      endpoint: 'chat.completions',
      client: {
        ip: `203.0.${i % 250}.${(i * 13) % 250}`,
        asn: 64500 + (i % 40),
        country: 'DE',
        user_agent: 'OpenAI/Python 1.40.0',
      },
      request: {
        messages: [
          { role: 'system', content: 'You are a helpful assistant. Answer clearly and cite assumptions.' },
          {
            role: 'user',
            content: `Explain ${topic} step by step, with an example, for request ${i}. Think carefully before answering.`,
          },
        ],
        params: { temperature: 0.7, max_tokens: 1024, n: 1, logprobs: false },
      },
      response: {
        text: `Here is an explanation of ${topic}. First, consider the basics; then an example follows.`,
        finish_reason: 'stop',
      },
      usage: { input_tokens: 42 + (i % 50), output_tokens: 180 + (i % 300) },
    };
    if (!out.write(`${JSON.stringify(e)}\n`)) await new Promise((r) => out.once('drain', r));
  }
  out.end();
  await new Promise((r) => out.once('finish', r));
  process.exit(0);
}

function mediumFile() {
  const given = arg('file');
  if (given) return { path: given, source: 'given' };
  const cache = join(tmpdir(), 'distillguard-bench');
  mkdirSync(cache, { recursive: true });
  const synthetic = arg('synthetic');
  if (!synthetic && existsSync(new URL('sim/index.js', dist))) {
    const dir = join(cache, 'sim-medium-seed1');
    const path = join(dir, 'traffic.ndjson');
    if (existsSync(path)) return { path, source: 'simulator medium seed 1 (cached)' };
    process.stdout.write('generating the medium file with the simulator...\n');
    const r = spawnSync(
      process.execPath,
      [
        fileURLToPath(new URL('cli/main.js', dist)),
        'simulate',
        '--scale',
        'medium',
        '--seed',
        '1',
        '--out',
        `${dir}.tmp`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status === 0 && existsSync(join(`${dir}.tmp`, 'traffic.ndjson'))) {
      renameSync(`${dir}.tmp`, dir);
      return { path, source: 'simulator medium seed 1' };
    }
    process.stdout.write('simulator failed; using synthetic events instead\n');
  }
  const n = Number(synthetic ?? 1_000_000);
  const path = join(cache, `synthetic-${n}.ndjson`);
  if (!existsSync(path)) {
    process.stdout.write(`generating ${n.toLocaleString('en')} synthetic events...\n`);
    spawnSync(process.execPath, [self], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_ROLE: 'synthetic', BENCH_N: String(n), BENCH_FILE: path },
    });
  }
  return { path, source: `synthetic, ${n.toLocaleString('en')} events` };
}

function measure(path) {
  const r = spawnSync(process.execPath, [self], {
    env: { ...process.env, BENCH_ROLE: 'ingest', BENCH_FILE: path },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`ingest child exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

const { path, source } = mediumFile();
const runs = [['ndjson', path]];
if (!args.includes('--no-gzip')) {
  const gz = `${path}.gz`;
  if (!existsSync(gz))
    await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(gz));
  runs.push(['ndjson+gzip', gz]);
}
process.stdout.write(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores\n`,
);
process.stdout.write(`input: ${source}\n  ${path} (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB)\n`);
for (const [label, file] of runs) {
  const m = measure(file);
  const mib = statSync(path).size / 2 ** 20;
  process.stdout.write(
    `ingest ${label.padEnd(12)} ${m.events.toLocaleString('en')} events in ${m.secs.toFixed(2)} s: ` +
      `${Math.round(m.events / m.secs).toLocaleString('en')} events/s, ${(mib / m.secs).toFixed(1)} MiB/s of NDJSON, ` +
      `peak RSS ${(m.maxRssKb / 1024).toFixed(0)} MiB, ${m.rejected} rejected; ` +
      `${Math.round(m.events / m.cpuSecs).toLocaleString('en')} events per CPU-second (${m.cpuSecs.toFixed(1)} s CPU)\n`,
  );
}
