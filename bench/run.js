// Runs every benchmark listed here, one after another, each in its own process (npm run bench).
// Add yours to the list; each file prints its own figures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = [
  'ingest.js',
  'ingest-api.js',
  'sqlite-commit.js',
  'analyze.js',
  'gateway.js',
  'decisions.js',
  'guardrails.js',
  'intel.js',
  'hub.js',
  'sim.js',
  'elicitation.js',
];

const only = process.argv.slice(2);
let failed = 0;
for (const file of benches) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  process.stdout.write(`\n== bench/${file} ==\n`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench/${file} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
