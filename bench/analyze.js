// Analyze throughput (end to end: read, validate, features, detectors, linkage) on the medium
// simulation, and peak memory on the large one when BENCH_LARGE=1. Run by `npm run bench`.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../dist/sim/index.js';
import { analyzeFiles } from '../dist/pipeline/index.js';

const cache = join(tmpdir(), 'distillguard-bench');

async function dataset(scale) {
  const out = join(cache, scale);
  const traffic = join(out, 'traffic.ndjson');
  if (!existsSync(traffic)) {
    mkdirSync(out, { recursive: true });
    process.stdout.write(`simulating ${scale} into ${out} ...\n`);
    await simulate({ scale, seed: 1, out, gzip: false, corpus: [] });
  }
  return { traffic, accounts: join(out, 'accounts.ndjson') };
}

async function measure(scale) {
  const files = await dataset(scale);
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const started = process.hrtime.bigint();
  const { report, detail } = await analyzeFiles([files.traffic], { accounts: [files.accounts] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(
    `analyze ${scale}: ${report.events} events, ${detail.findings.input.accounts} accounts in ${seconds.toFixed(1)} s = ${Math.round(report.events / seconds)} events/s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB\n`,
  );
}

await measure('medium');
if (process.env.BENCH_LARGE === '1') await measure('large');
else process.stdout.write('large: skipped (set BENCH_LARGE=1 to measure peak memory on 10M events)\n');
