// The per-event path alone: read + scan + LineFeatures.build + per-account state
// (DetectionEngine.addLine), on one thread, without scoring; then the same read with the lines
// dropped, so the difference is what addLine costs. Prints µs CPU per event for each pass.
//   node bench/features.js <traffic.ndjson> [--dist other/dist,this/dist] [--rounds 2]
// With several --dist builds, they run alternately round by round, each pass in a process of
// its own (so one build's memo or JIT state never helps another's): on a shared machine only
// runs interleaved like that are comparable.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const here = fileURLToPath(new URL('..', import.meta.url));

async function child(file, dist, mode) {
  const { readInput, IngestReport } = await import(pathToFileURL(join(dist, 'ingest', 'index.js')).href);
  const { DetectionEngine } = await import(pathToFileURL(join(dist, 'findings', 'index.js')).href);
  const engine = new DetectionEngine();
  let events = 0;
  const line = mode === 'scan' ? () => events++ : (v) => (events++, engine.addLine(v));
  const cpu0 = process.cpuUsage();
  await readInput([file], { accounts: () => {}, events: () => {}, line }, { report: new IngestReport() });
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ events, cpuUs: cpu.user + cpu.system })}\n`);
}

function run(file, dist, mode) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file, dist, mode], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
} else {
  const file = resolve(process.argv[2]);
  const dists = arg('dist', join(here, 'dist'))
    .split(',')
    .map((d) => resolve(d));
  const rounds = Number(arg('rounds', '2'));
  process.stdout.write(
    `file ${file}; load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );
  for (let r = 1; r <= rounds; r++) {
    for (const dist of dists) {
      const full = run(file, dist, 'lines');
      const scan = run(file, dist, 'scan');
      const us = (x) => (x.cpuUs / x.events).toFixed(1);
      process.stdout.write(
        `round ${r} ${dist}: read+scan+addLine ${us(full)} µs/event, read+scan ${us(scan)}, addLine ≈ ${((full.cpuUs - scan.cpuUs) / full.events).toFixed(1)}  (load ${loadavg()[0].toFixed(1)})\n`,
      );
    }
  }
}
