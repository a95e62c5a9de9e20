// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per source file, and
// inclusive time of the functions named with --inclusive, in ms and in µs per event.
//   node bench/profile-summary.js <file.cpuprofile> [--events N] [--top 40] [--inclusive name,name]
//     [--long-tasks MS]
// --long-tasks MS lists the busy stretches (consecutive samples off the idle loop) longer than MS:
// on a server's main thread these are what a request queued behind them waits, so they bound p99.
import { readFileSync } from 'node:fs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const events = Number(arg('events', '0'));
const top = Number(arg('top', '40'));
const inclusiveNames = String(arg('inclusive', '')).split(',').filter(Boolean);

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Sample time: each sample lasts until the next one.
const selfUs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const label = (n) => {
  const f = n.callFrame;
  const url = f.url.replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
  return `${f.functionName || '(anon)'} ${url}${f.url ? `:${f.lineNumber + 1}` : ''}`;
};
const fileOf = (n) => n.callFrame.url.replace(/^.*\/dist\//, '') || n.callFrame.functionName;
const byFn = new Map();
const byFile = new Map();
for (const [id, us] of selfUs) {
  const n = nodes.get(id);
  byFn.set(label(n), (byFn.get(label(n)) ?? 0) + us);
  byFile.set(fileOf(n), (byFile.get(fileOf(n)) ?? 0) + us);
}
const fmt = (us) =>
  `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %` +
  (events ? ` ${(us / events).toFixed(2).padStart(7)} µs/event` : '');
console.log(`total sampled ${(total / 1e6).toFixed(2)} s${events ? `, ${events} events` : ''}`);
console.log('\n-- self time by file --');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(v)}  ${k}`);
console.log('\n-- self time by function --');
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(v)}  ${k}`);
if (inclusiveNames.length) {
  // Inclusive: a sample counts once for a name if any frame on its stack has that name.
  console.log('\n-- inclusive time --');
  const incl = new Map(inclusiveNames.map((n) => [n, 0]));
  for (const [id, us] of selfUs) {
    const hit = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const name = nodes.get(x).callFrame.functionName;
      if (incl.has(name)) hit.add(name);
    }
    for (const h of hit) incl.set(h, incl.get(h) + us);
  }
  for (const [k, v] of incl) console.log(`${fmt(v)}  ${k}`);
}

const longTaskMs = Number(arg('long-tasks', '0'));
if (longTaskMs > 0) {
  const idle = (id) => nodes.get(id).callFrame.functionName === '(idle)';
  // A stretch: consecutive non-idle samples; its duration is the sum of their deltas.
  const stretches = [];
  let cur = null;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = deltas[i + 1] ?? 0;
    if (idle(id)) {
      if (cur) stretches.push(cur);
      cur = null;
      continue;
    }
    cur ??= { us: 0, fns: new Map(), roots: new Map() };
    cur.us += dt;
    const n = nodes.get(id);
    cur.fns.set(label(n), (cur.fns.get(label(n)) ?? 0) + dt);
    // The outermost named frame of the sample: which task this is.
    let named = null;
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const fn = nodes.get(x).callFrame;
      if (fn.url.includes('/dist/') && fn.functionName) named = label(nodes.get(x));
    }
    if (named) cur.roots.set(named, (cur.roots.get(named) ?? 0) + dt);
  }
  if (cur) stretches.push(cur);
  const long = stretches.filter((s) => s.us >= longTaskMs * 1000).sort((a, b) => b.us - a.us);
  const sorted = stretches.map((s) => s.us).sort((a, b) => a - b);
  const q = (p) =>
    ((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) / 1000).toFixed(1);
  console.log(
    `\n-- busy stretches: ${stretches.length}, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; ${long.length} over ${longTaskMs} ms --`,
  );
  const top3 = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${(v / 1000).toFixed(1)} ${k}`)
      .join(' | ');
  for (const s of long.slice(0, 15))
    console.log(
      `${(s.us / 1000).toFixed(1).padStart(7)} ms  self: ${top3(s.fns)}\n${' '.repeat(12)}outer: ${top3(s.roots)}`,
    );
}
