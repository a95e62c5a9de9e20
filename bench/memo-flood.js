// A prompt flood made to collide in the value memo's sampled hash (src/features/byte-memo.ts):
// one account sends N prompts of L characters that differ only in bytes the hash does not
// sample, added to a 2-day simulation. Runs analyze on the file with and without the flood for
// each build and prints the CPU seconds, so the flood's cost per event can be compared.
//   node bench/memo-flood.js [--events 20000] [--length 3000] [--dist other/dist,dist]
// Builds given together run at the same time (side by side on a shared machine); the flood is
// built with this checkout's hash (npm run build first).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arg } from './args.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const n = Number(arg('events', '20000'));
const length = Number(arg('length', '3000'));
const dists = arg('dist', 'dist')
  .split(',')
  .map((d) => resolve(here, d));
const dir = join(tmpdir(), 'distillguard-bench', 'memo-flood');
mkdirSync(dir, { recursive: true });
const cli = (dist) => join(dist, 'cli', 'main.js');

const sim = spawnSync(process.execPath, [
  cli(dists[0]),
  'simulate',
  '--seed',
  '2',
  '--days',
  '2',
  '--out',
  dir,
]);
if (sim.status !== 0) throw new Error(sim.stderr.toString());

const { hashBytes } = await import(pathToFileURL(join(here, 'dist', 'features', 'byte-memo.js')).href);
const base = Buffer.from(
  'please explain the following problem in detail and show your reasoning '
    .repeat(1 + length / 70)
    .slice(0, length),
  'latin1',
);
const h = hashBytes(base, 0, length);
const blind = [];
for (let p = 0; p < length; p++) {
  const b = Buffer.from(base);
  b[p] = b[p] === 0x61 ? 0x62 : 0x61;
  if (hashBytes(b, 0, length) === h) blind.push(p);
}
const flood = [];
let t = Date.parse('2025-08-27T06:00:00Z');
outer: for (let i = 0; i < blind.length; i++)
  for (let j = i + 1; j < blind.length; j++)
    for (let c = 0x61; c <= 0x7a; c++) {
      if (flood.length >= n) break outer;
      const b = Buffer.from(base);
      b[blind[i]] = c;
      b[blind[j]] = 0x7a;
      t += 1000;
      flood.push({
        id: `req_flood${String(flood.length).padStart(12, '0')}`,
        ts: new Date(t).toISOString(),
        account_id: 'acct_flooder00001',
        api_key_id: 'key_flood0001',
        model: 'helix-3',
        endpoint: 'chat.completions',
        client: { ip: '198.51.100.7', asn: 64500, country: 'US', user_agent: 'python-httpx/0.27.0' },
        request: { messages: [{ role: 'user', content: b.toString('latin1') }], params: { temperature: 0 } },
        response: { text: 'ok', finish_reason: 'stop' },
        usage: { input_tokens: 500, output_tokens: 2 },
      });
    }
const events = readFileSync(join(dir, 'traffic.ndjson'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l));
const all = events.concat(flood).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
writeFileSync(join(dir, 'flooded.ndjson'), all.map((e) => JSON.stringify(e)).join('\n') + '\n');
console.log(
  `${flood.length} colliding prompts (${blind.length} unsampled positions) added to ${events.length} events`,
);

function analyze(dist, file, tag) {
  return new Promise((done, fail) => {
    const t0 = process.hrtime.bigint();
    const args = [cli(dist), 'analyze', join(dir, file), '--accounts', join(dir, 'accounts.ndjson')];
    const child = spawn(
      '/usr/bin/time',
      ['-f', '%U %S', process.execPath, ...args, '--no-progress', '--out', join(dir, `${tag}.json`)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(err));
      const [u, s] = err.trim().split('\n').pop().split(' ').map(Number);
      done({ cpu: u + s, wall: Number(process.hrtime.bigint() - t0) / 1e9 });
    });
  });
}

for (const file of ['traffic.ndjson', 'flooded.ndjson']) {
  const load = loadavg()[0].toFixed(1);
  const runs = await Promise.all(dists.map((d, i) => analyze(d, file, `findings-${i}`)));
  for (const [i, r] of runs.entries())
    console.log(
      `${file.padEnd(15)} ${dists[i].padEnd(30)} CPU ${r.cpu.toFixed(1)} s  wall ${r.wall.toFixed(1)} s  (load ${load})`,
    );
}
