// Intel sharing throughput (npm run bench, or node bench/intel.js): export of the small simulated
// traffic's findings to STIX, matching received indicators over another member's traffic, and
// hub publish + paged pull of many indicators over HTTP (SQLite). Needs `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLine } from './machine.js';
import { analyzedSimulation, exportSettings } from './intel-fixture.js';

const dist = new URL('../dist/', import.meta.url);
const imp = (p) => import(new URL(p, dist).href);
const simMod = await imp('sim/index.js');
const findingsMod = await imp('findings/index.js');
const intel = await imp('intel/index.js');
const hubMod = await imp('hub/index.js');
const store = await imp('store/index.js');

const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const settings = exportSettings(intel);
const ring = settings.keyRing;
process.stdout.write(machineLine(1));

// A: detect and export.
const { events: eventsA, accounts: accountsA, findings } = analyzedSimulation(simMod, findingsMod);
let t0 = process.hrtime.bigint();
const exported = await intel.exportBundle({ findings, events: eventsA, accounts: accountsA, ...settings });
const exportSecs = secs(t0);
const objects = exported.bundle.objects ?? [];
process.stdout.write(
  `export: ${eventsA.length} events, ${findings.clusters.length} clusters -> ${objects.length} objects in ${exportSecs.toFixed(2)} s (${Math.round(eventsA.length / exportSecs)} events/s)\n`,
);

// B: match.
const simB = simMod.simulationStream({ scale: 'small', seed: 22, actorSeed: 7, accountPrefix: 'b_' });
const matcher = new intel.IntelMatcher(objects, ring);
t0 = process.hrtime.bigint();
let n = 0;
for (const a of simB.accounts) matcher.addAccount(a.record);
for (const e of simB.events()) {
  matcher.addEvent(e);
  n++;
}
const matchSecs = secs(t0);
process.stdout.write(
  `match: ${matcher.indicators} indicators over ${n} events (simulation included) in ${matchSecs.toFixed(2)} s (${Math.round(n / matchSecs)} events/s); ${matcher.matches().size} accounts matched\n`,
);

// Hub: publish and pull many objects over HTTP.
const dir = mkdtempSync(join(tmpdir(), 'dg-bench-hub-'));
const db = store.openDatabase({ url: `sqlite:${join(dir, 'hub.db')}` });
await store.runMigrations(db, store.hubMigrations);
const key = intel.generateMemberKey('org-a');
const cred = await hubMod.admitMember(db, 'org-a', {
  publicKeyHex: Buffer.from(key.publicKey).toString('hex'),
  keyId: key.keyId,
});
await hubMod.createGroup(db, 'g');
await hubMod.joinGroup(db, 'g', 'org-a');
const cid = await hubMod.createCollection(db, { title: 'c' });
await hubMod.grantGroup(db, cid, 'g', { read: true, write: true });
const app = hubMod.createHubServer({ db });
const root = `${await app.listen({ host: '127.0.0.1', port: 0 })}/api1/`;
const client = new intel.TaxiiClient(root, { apiKey: cred.apiKey });
const N = 5000;
const many = Array.from({ length: N }, (_, i) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern: `[autonomous-system:number = ${i}]`,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00.000Z',
}));
t0 = process.hrtime.bigint();
for (let i = 0; i < N; i += 500) await client.push(cid, many.slice(i, i + 500), key);
const pushSecs = secs(t0);
const received = intel.ReceivedIntel.inMemory();
t0 = process.hrtime.bigint();
const pulled = await received.pull(client, cid, { limit: 500 });
const pullSecs = secs(t0);
process.stdout.write(
  `hub: published ${N} signed indicators in ${pushSecs.toFixed(2)} s (${Math.round(N / pushSecs)}/s); pulled ${pulled.received} in ${pulled.pages} pages in ${pullSecs.toFixed(2)} s (${Math.round(pulled.received / pullSecs)}/s)\n`,
);
await app.close();
await db.destroy();
rmSync(dir, { recursive: true, force: true });
