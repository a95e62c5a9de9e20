// The heap a process holds once it has loaded some of a build's modules (after full GCs): what
// every major GC of that process marks before it has done any work.
// Usage: node --expose-gc bench/module-heap.js [DIST] module [module ...]
//   e.g. node --expose-gc bench/module-heap.js dist cli/commands/index.js gateway/index.js
// DIST defaults to this checkout's dist/ (a path to another build's dist/ compares two builds).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}
let [dist, ...mods] = process.argv.slice(2);
if (!existsSync(resolve(dist, 'cli'))) {
  mods.unshift(dist);
  dist = new URL('../dist/', import.meta.url).pathname;
}
const base = pathToFileURL(`${resolve(dist)}/`);
const t0 = performance.now();
for (const m of mods) await import(new URL(m, base).href);
const ms = performance.now() - t0;
for (let i = 0; i < 4; i++) globalThis.gc();
const mb = (b) => (b / 2 ** 20).toFixed(1);
const m = process.memoryUsage();
process.stdout.write(
  `${resolve(dist)}: ${mods.join(' + ') || '(nothing)'}: heap ${mb(m.heapUsed)} MB, rss ${mb(m.rss)} MB, import ${ms.toFixed(0)} ms\n`,
);
