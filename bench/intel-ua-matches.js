// `intel match` on foreign user-agent MATCHES indicators (node bench/intel-ua-matches.js [ROOT]): the
// cost of the first request of each distinct user agent (every compiled expression tested) and of
// later ones (cached verdict), with the matcher's bounds full of small expressions and of the
// largest ones; then equality indicators (the fast paths) and compound patterns on requests with
// varied addresses and ASNs. ROOT: the checkout whose dist/ to measure (default: this one), so an
// old build runs the same cases. Needs `npx tsc -p tsconfig.build.json` there.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stixIndicator } from './intel-fixture.js';
import { machineLine } from './machine.js';

const root = process.argv[2] ? path.resolve(process.argv[2]) : path.resolve(import.meta.dirname, '..');
const { IntelMatcher, keyRingFrom } = await import(
  pathToFileURL(path.join(root, 'dist/intel/index.js')).href
);
const ring = keyRingFrom({ current: 'k1', keys: [{ id: 'k1', secret: 'cd'.repeat(32) }] });
const UA = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
const now = new Date('2026-11-21T00:00:00Z');
const indicator = (n, expr) =>
  stixIndicator(n, typeof expr === 'object' ? expr.pattern : `[${UA} MATCHES '${expr}']`);
const event = (id, ua, i = 0, timed = false) => ({
  id,
  // The timed case: one request a second (an account every 500 seconds).
  ts: timed ? new Date(Date.parse('2026-11-20T10:00:00Z') + i * 1000).toISOString() : '2026-11-20T10:00:00Z',
  account_id: `a${i % 500}`,
  model: 'm',
  // 500 addresses and 50 ASNs beside the user agents (only the last cases use them).
  client: { user_agent: ua, ip: `198.51.${(i % 500) >> 8}.${(i % 500) & 255}`, asn: 64_000 + (i % 50) },
  request: { messages: [] },
});

function run(label, exprs, ua, timed = false) {
  const m = new IntelMatcher(
    exprs.map((e, i) => indicator(i, e)),
    ring,
    now,
  );
  const distinct = 20;
  let t = performance.now();
  for (let i = 0; i < distinct; i++) m.addEvent(event(`d${i}`, ua(i), i, timed));
  const first = (performance.now() - t) / distinct;
  const reps = 100_000;
  t = performance.now();
  for (let i = 0; i < reps; i++) m.addEvent(event(`c${i}`, ua(i % distinct), distinct + i, timed));
  const cached = ((performance.now() - t) / reps) * 1000;
  const matched = m.matches().size;
  console.log(
    `| ${label} | ${m.indicators} | ${m.skipped} | ${first.toFixed(2)} | ${cached.toFixed(2)} | ${matched} |`,
  );
}

process.stdout.write(machineLine(1));
console.log('| case | compiled | skipped | ms per distinct UA | µs per cached event | accounts matched |');
const long = (i) => 'a'.repeat(990) + String(i).padStart(10, '0');
const largest = Array.from(
  { length: 20 },
  (_, i) => '[a-z0-9]{0,1000}'.repeat(4) + String.fromCharCode(98 + i),
);
run('20 expressions of ~8,000 instructions, 1,000-character UAs', largest, long);
const small = Array.from({ length: 1200 }, (_, i) => `^bot-${i}/[0-9]+`);
run('1,200 small expressions, 1,000-character UAs', small, long);
run('1,200 small expressions, typical UAs', small, (i) => `python-requests/2.${i}.0`);
const ip = (i) => `[ipv4-addr:value = '198.51.${i >> 8}.${i & 255}']`;
const equality = Array.from({ length: 1200 }, (_, i) => ({
  pattern:
    i % 3 === 0
      ? ip(i)
      : i % 3 === 1
        ? `[autonomous-system:number = ${64_000 + i}]`
        : `[${UA} = 'bot-${i}/1.0']`,
}));
run('1,200 equality indicators (IP, ASN, UA), typical UAs', equality, (i) => `python-requests/2.${i}.0`);
// Two MATCHES/LIKE expressions each: 500 fill the bound of 1,000 expressions.
const compound = Array.from({ length: 500 }, (_, i) => ({
  pattern:
    `[${UA} LIKE 'python-requests/2.${i % 40}.%' AND (autonomous-system:number IN (${64_000 + (i % 50)}, 1, 2) ` +
    `OR ipv4-addr:value NOT ISSUBSET '198.51.${i % 2}.0/24')] AND ` +
    `[ipv4-addr:value ISSUBSET '198.51.0.0/16' AND ${UA} MATCHES '^python-requests/2\\\\.${i % 40}\\\\.']`,
}));
run(
  '500 compound patterns (2 observations, LIKE, IN, NOT ISSUBSET, MATCHES), typical UAs',
  compound,
  (i) => `python-requests/2.${i}.0`,
);
const oneCompound = compound.slice(0, 10);
run('10 compound patterns, typical UAs', oneCompound, (i) => `python-requests/2.${i}.0`);
// Time-qualified patterns (src/intel/match/pattern-program.ts TimedState): a REPEATS never met
// (its queue in use on every request), a FOLLOWEDBY and an AND in a window; an older build
// compiles none of them (the `compiled` column), so compare with the untimed case above.
const timed = Array.from({ length: 500 }, (_, i) => {
  const like = `[${UA} LIKE 'python-requests/2.${i % 40}.%']`;
  const net = `[ipv4-addr:value ISSUBSET '198.51.0.0/16' AND autonomous-system:number IN (${64_000 + (i % 50)}, 1, 2)]`;
  return {
    pattern:
      i % 3 === 0
        ? `${like} REPEATS 1000 TIMES WITHIN 60 SECONDS`
        : i % 3 === 1
          ? `(${net} FOLLOWEDBY ${like}) WITHIN 600 SECONDS`
          : `(${net} AND ${like}) WITHIN 600 SECONDS`,
  };
});
const untimed = timed.map((t) => ({
  pattern: t.pattern.replace(/ (REPEATS|WITHIN) \d+ (TIMES|SECONDS)/g, '').replace(' FOLLOWEDBY ', ' AND '),
}));
run(
  '500 such patterns untimed (qualifiers dropped, FOLLOWEDBY as AND), one request a second',
  untimed,
  (i) => `python-requests/2.${i}.0`,
  true,
);
run(
  '500 time-qualified patterns (REPEATS … WITHIN, FOLLOWEDBY … WITHIN, AND … WITHIN), one request a second',
  timed,
  (i) => `python-requests/2.${i}.0`,
  true,
);
// Compound timed shapes (issue 19): REPEATS on an OR and on an AND of two, never met (queues in
// use on every request); a FOLLOWEDBY whose first operand repeats; a REPEATS inside a windowed
// AND. An older build compiles none of them.
const compoundTimed = Array.from({ length: 500 }, (_, i) => {
  const like = `[${UA} LIKE 'python-requests/2.${i % 40}.%']`;
  const net = `[ipv4-addr:value ISSUBSET '198.51.0.0/16' AND autonomous-system:number IN (${64_000 + (i % 50)}, 1, 2)]`;
  return {
    pattern: [
      `(${like} OR ${net}) REPEATS 1000 TIMES WITHIN 60 SECONDS`,
      `(${like} AND ${net}) REPEATS 1000 TIMES WITHIN 60 SECONDS`,
      `(${like} REPEATS 3 TIMES FOLLOWEDBY ${net}) WITHIN 600 SECONDS`,
      `(${like} REPEATS 1000 TIMES WITHIN 60 SECONDS AND ${net}) WITHIN 600 SECONDS`,
    ][i % 4],
  };
});
run(
  '500 compound time-qualified patterns (REPEATS on OR / AND, REPEATS FOLLOWEDBY, REPEATS in a windowed AND), one request a second',
  compoundTimed,
  (i) => `python-requests/2.${i}.0`,
  true,
);
// A hostile AND (issue: bounded AND state): 16 broad observation expressions (a letter anywhere in
// the user agent), all AND-ed, and the same 16 as 64 alternatives (six ORs of two, AND-ed with four
// more); 20 accounts of 20,000 requests, each user agent a random set of the letters a–o (p never,
// so neither pattern holds and every alternative is searched in full when an account is judged).
// Per request recorded, then the time to judge all accounts (`matches()`), the numbers held by
// the per-account pattern states (this build's `stateHeld`; an older build has no such figure)
// and the heap grown over the run.
{
  const letters = 'abcdefghijklmnop';
  const leaf = (i) => `[${UA} LIKE '%${letters[i]}%']`;
  const patterns = [
    Array.from({ length: 16 }, (_, i) => leaf(i)).join(' AND '),
    [
      ...Array.from({ length: 6 }, (_, g) => `(${leaf(2 * g)} OR ${leaf(2 * g + 1)})`),
      ...[12, 13, 14, 15].map(leaf),
    ].join(' AND '),
  ];
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const m = new IntelMatcher(
    patterns.map((p, i) => indicator(i, { pattern: p })),
    ring,
    now,
  );
  let seed = 7;
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * k);
  };
  const accounts = 20;
  const per = 20_000;
  let t = performance.now();
  for (let r = 0; r < per; r++)
    for (let a = 0; a < accounts; a++) {
      let ua = 'Z/';
      for (let i = 0; i < 15; i++) if (rnd(10) < 3) ua += letters[i];
      m.addEvent({ ...event(`h${r}-${a}`, ua, a), account_id: `h${a}` });
    }
  const recordUs = ((performance.now() - t) / (accounts * per)) * 1000;
  t = performance.now();
  const matched = m.matches().size;
  const judgeMs = performance.now() - t;
  globalThis.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  console.log(
    `| hostile: AND of 16 broad expressions and 64 alternatives of them, 20 accounts × 20,000 requests | ${m.indicators} | µs per request ${recordUs.toFixed(1)} | judging all accounts ${judgeMs.toFixed(0)} ms | held ${m.stateHeld ?? 'n/a'}, heap +${heapMb.toFixed(0)} MB | ${matched} |`,
  );
}
