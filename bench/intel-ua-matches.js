// `intel match` on foreign user-agent MATCHES indicators (node bench/intel-ua-matches.js): the
// cost of the first request of each distinct user agent (every compiled expression tested) and of
// later ones (cached verdict), with the matcher's bounds full of small expressions and of the
// largest ones. Needs `npx tsc -p tsconfig.build.json`.
import { machineLine } from './machine.js';

const { IntelMatcher, keyRingFrom } = await import(new URL('../dist/intel/index.js', import.meta.url).href);
const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const UA = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
const now = new Date('2026-11-21T00:00:00Z');
const indicator = (n, expr) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--6a1f0c2e-8d4b-4f3a-9c7e-${String(n).padStart(12, '0')}`,
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern: `[${UA} MATCHES '${expr}']`,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00Z',
  confidence: 70,
});
const event = (id, ua) => ({
  id,
  ts: '2026-11-20T10:00:00Z',
  account_id: 'x',
  model: 'm',
  client: { user_agent: ua },
  request: { messages: [] },
});

function run(label, exprs, ua) {
  const m = new IntelMatcher(
    exprs.map((e, i) => indicator(i, e)),
    ring,
    now,
  );
  const distinct = 20;
  let t = performance.now();
  for (let i = 0; i < distinct; i++) m.addEvent(event(`d${i}`, ua(i)));
  const first = (performance.now() - t) / distinct;
  const reps = 100_000;
  t = performance.now();
  for (let i = 0; i < reps; i++) m.addEvent(event(`c${i}`, ua(i % distinct)));
  const cached = ((performance.now() - t) / reps) * 1000;
  console.log(`| ${label} | ${m.indicators} | ${m.skipped} | ${first.toFixed(2)} | ${cached.toFixed(2)} |`);
}

process.stdout.write(machineLine(1));
console.log('| case | compiled | skipped | ms per distinct UA | µs per cached event |');
const long = (i) => 'a'.repeat(990) + String(i).padStart(10, '0');
const largest = Array.from(
  { length: 20 },
  (_, i) => '[a-z0-9]{0,1000}'.repeat(4) + String.fromCharCode(98 + i),
);
run('20 expressions of ~8,000 instructions, 1,000-character UAs', largest, long);
const small = Array.from({ length: 1200 }, (_, i) => `^bot-${i}/[0-9]+`);
run('1,200 small expressions, 1,000-character UAs', small, long);
run('1,200 small expressions, typical UAs', small, (i) => `python-requests/2.${i}.0`);
