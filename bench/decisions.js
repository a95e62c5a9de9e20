// Latency of GET /v1/decisions/:account_id, the enforcement hot path: from memory, in process and
// over HTTP (keep-alive, one client, then 16 in parallel). Run after `npm run build`:
//   node bench/decisions.js [accounts]
import { simulationStream } from '../dist/sim/index.js';
import { benchFindings, quantiles, startBenchService } from './decision-book.js';

const N = Number(process.argv[2] ?? 100_000);
const KEY = 'dg_benchDecisionsAdminKey_0123456789';

const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;

// Findings for N accounts: 1 in 10 at review, 1 in 100 at act, clusters of 50.
const clusters = [];
for (let c = 0; c < N / 1000; c++)
  clusters.push({
    cluster_id: `cl_${c}`,
    account_ids: Array.from({ length: 50 }, (_, j) => `acct_${c * 1000 + j * 7}`),
    score: 0.95,
    level: 'act',
    events: 500,
    links: [],
    signals: [],
  });
const findings = benchFindings(N, clusters);

const { service, stop } = await startBenchService('decisions', KEY);
try {
  let t = performance.now();
  const changes = await service.ctx.decisions.applyFindings(findings);
  console.log(
    `decisions for ${N} accounts: ${changes.length} non-default, applied and stored in ${Math.round(performance.now() - t)} ms`,
  );

  const book = service.ctx.decisions;
  const ids = Array.from({ length: 200_000 }, (_, i) => `acct_${(i * 7919) % ((N * 1.1) | 0)}`);
  for (const id of ids.slice(0, 10_000)) book.get(id); // warm up
  const inProc = [];
  for (const id of ids) {
    const t0 = performance.now();
    book.get(id);
    inProc.push(performance.now() - t0);
  }
  const a = quantiles(inProc);
  console.log(`in process  DecisionBook.get: n=${a.n} p50 ${us(a.p50)} p99 ${us(a.p99)} max ${us(a.max)}`);

  const headers = { authorization: `Bearer ${KEY}` };
  const one = async (id) => {
    const t0 = performance.now();
    const r = await fetch(`${service.url}/v1/decisions/${id}`, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 500; i++) await one(ids[i]);
  const seq = [];
  for (let i = 0; i < 5000; i++) seq.push(await one(ids[i]));
  const b = quantiles(seq);
  console.log(
    `HTTP, 1 client:  n=${b.n} p50 ${b.p50.toFixed(3)} ms p99 ${b.p99.toFixed(3)} ms max ${b.max.toFixed(2)} ms`,
  );

  const par = [];
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < 20_000) par.push(await one(ids[next++]));
    }),
  );
  const secs = (performance.now() - t) / 1000;
  const c = quantiles(par);
  console.log(
    `HTTP, 16 clients: n=${c.n} p50 ${c.p50.toFixed(3)} ms p99 ${c.p99.toFixed(3)} ms, ${Math.round(c.n / secs)} requests/s`,
  );

  // While a shipper streams simulated traffic in and the engine re-scores (in its worker thread).
  const sim = simulationStream({ scale: 'small', seed: 3, days: 3 });
  const lines = [];
  for (const e of sim.events()) {
    lines.push(JSON.stringify(e));
    if (lines.length >= 30_000) break;
  }
  let shipping = true;
  const ship = (async () => {
    for (let i = 0; i < lines.length; i += 2000) {
      const r = await fetch(`${service.url}/v1/events`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        body: lines.slice(i, i + 2000).join('\n'),
      });
      await r.arrayBuffer();
    }
    await service.ctx.live.refresh();
    shipping = false;
  })();
  const busy = [];
  t = performance.now();
  for (let i = 0; shipping; i++) {
    busy.push(await one(ids[i % ids.length]));
    await new Promise((r) => setTimeout(r, 2));
  }
  await ship;
  const d = quantiles(busy);
  console.log(
    `HTTP, 1 client during ingest of ${lines.length} events + re-scoring (${Math.round((performance.now() - t) / 1000)} s): ` +
      `n=${d.n} p50 ${d.p50.toFixed(3)} ms p99 ${d.p99.toFixed(3)} ms max ${d.max.toFixed(1)} ms`,
  );
} finally {
  await stop();
}
