// Time-qualified patterns in `intel match`, two builds alternating in one process (node
// bench/intel-timed-ab.js ROOT_A ROOT_B [ROUNDS]): per cached request, the untimed and timed rows of
// bench/intel-ua-matches.js, A then B each round, so a busy machine's drift falls on both alike.
// Each ROOT needs its dist/ built (`npx tsc -p tsconfig.build.json`).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stixIndicator } from './intel-fixture.js';
import { machineLine } from './machine.js';

const [a, b, rounds = '4'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/intel-timed-ab.js ROOT_A ROOT_B [ROUNDS]');
const load = async (root) => import(pathToFileURL(path.join(path.resolve(root), 'dist/intel/index.js')).href);
const builds = [
  { name: a, lib: await load(a) },
  { name: b, lib: await load(b) },
];
const UA = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
const now = new Date('2026-11-21T00:00:00Z');
const indicator = stixIndicator;
// As bench/intel-ua-matches.js: one request a second, an account every 500 seconds.
const event = (id, i) => ({
  id,
  ts: new Date(Date.parse('2026-11-20T10:00:00Z') + i * 1000).toISOString(),
  account_id: `a${i % 500}`,
  model: 'm',
  client: {
    user_agent: `python-requests/2.${i % 20}.0`,
    ip: `198.51.${(i % 500) >> 8}.${(i % 500) & 255}`,
    asn: 64_000 + (i % 50),
  },
  request: { messages: [] },
});
const timed = Array.from({ length: 500 }, (_, i) => {
  const like = `[${UA} LIKE 'python-requests/2.${i % 40}.%']`;
  const net = `[ipv4-addr:value ISSUBSET '198.51.0.0/16' AND autonomous-system:number IN (${64_000 + (i % 50)}, 1, 2)]`;
  return i % 3 === 0
    ? `${like} REPEATS 1000 TIMES WITHIN 60 SECONDS`
    : i % 3 === 1
      ? `(${net} FOLLOWEDBY ${like}) WITHIN 600 SECONDS`
      : `(${net} AND ${like}) WITHIN 600 SECONDS`;
});
const untimed = timed.map((p) =>
  p.replace(/ (REPEATS|WITHIN) \d+ (TIMES|SECONDS)/g, '').replace(' FOLLOWEDBY ', ' AND '),
);

/** µs per request after the first 20 (distinct user agents), wall and CPU, and the accounts matched. */
function run(lib, patterns) {
  const ring = lib.keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
  const m = new lib.IntelMatcher(
    patterns.map((p, i) => indicator(i, p)),
    ring,
    now,
  );
  for (let i = 0; i < 20; i++) m.addEvent(event(`d${i}`, i));
  const reps = 30_000;
  const t = performance.now();
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) m.addEvent(event(`c${i}`, 20 + i));
  // CPU time too: on a shared machine the wall clock also counts the time others held the cores.
  const cpu = process.cpuUsage(c);
  return {
    us: ((performance.now() - t) / reps) * 1000,
    cpu: (cpu.user + cpu.system) / reps,
    matched: m.matches().size,
  };
}

process.stdout.write(machineLine(1));
console.log(
  '| round | build | untimed µs/request (wall / CPU) | timed µs/request (wall / CPU) | matched (untimed / timed) |',
);
for (let r = 1; r <= Number(rounds); r++)
  for (const { name, lib } of builds) {
    const u = run(lib, untimed);
    const t = run(lib, timed);
    console.log(
      `| ${r} | ${name} | ${u.us.toFixed(1)} / ${u.cpu.toFixed(1)} | ${t.us.toFixed(1)} / ${t.cpu.toFixed(1)} | ${u.matched} / ${t.matched} |`,
    );
  }
process.stdout.write(machineLine(1));
