// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per source file, and
// inclusive time of the functions named with --inclusive, in ms and in µs per event.
//   node bench/profile-summary.js <file.cpuprofile> [--events N] [--top 40] [--inclusive name,name]
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
