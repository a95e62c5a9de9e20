// Hub authentication cost (node bench/hub-auth.js [seconds per mode] [dist dir], after
// `npm run build`): TAXII GETs per second over loopback HTTP with an API key (Bearer, and the
// OASIS client's `Token` form) and with HTTP Basic member:password, 8 requests in flight, SQLite.
// After a warm-up, the modes run in two interleaved rounds. Prints the load average too: the
// machine is shared, so compare runs taken at similar load (pass another build's dist/ to compare).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBenchHub } from './hub-fixture.js';
import { load, machineLine } from './machine.js';

const dist = process.argv[3]
  ? new URL(`file://${process.argv[3].replace(/\/?$/, '/')}`)
  : new URL('../dist/', import.meta.url);
const imp = (p) => import(new URL(p, dist).href);
const hubMod = await imp('hub/index.js');
const store = await imp('store/index.js');

const seconds = Number(process.argv[2] ?? 3);
const inFlight = 8;
process.stdout.write(machineLine());

const dir = mkdtempSync(join(tmpdir(), 'dg-bench-hub-auth-'));
const db = store.openDatabase({ url: `sqlite:${join(dir, 'hub.db')}` });
const { app, base, cid, cred } = await openBenchHub(hubMod, store, db);
const url = `${base}/api1/collections/${cid}/objects/?limit=10`;

async function rate(authorization, secs = seconds) {
  const until = Date.now() + secs * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const res = await fetch(url, {
        headers: { authorization, accept: 'application/taxii+json;version=2.1' },
      });
      await res.arrayBuffer();
      if (res.status === 200) done++;
      else failed++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const took = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: Math.round(done / took), failed };
}

const modes = [
  ['Bearer <api key>', `Bearer ${cred.apiKey}`],
  ['Token <api key>', `Token ${cred.apiKey}`],
  ['Basic member:password', `Basic ${Buffer.from('org-a:bench-password').toString('base64')}`],
];
for (const [, header] of modes) await rate(header, 1); // warm-up: JIT, SQLite and password caches
for (const [name, header] of [...modes, ...modes]) {
  const r = await rate(header);
  process.stdout.write(
    `${name.padEnd(22)} ${String(r.perSec).padStart(6)} req/s${r.failed ? ` (${r.failed} not 200)` : ''}  load ${load()}\n`,
  );
}
await app.close();
await db.destroy();
rmSync(dir, { recursive: true, force: true });
