// Gateway added latency: the same requests to a local fake model, directly and through the
// gateway, side by side in one run at a fixed open-loop rate (default 1,000 req/s, 10 s per
// target, alternating targets every 500 ms; --concurrent sends to both at once instead).
// Usage: node bench/gateway.js [--rate 1000] [--seconds 10] [--stream] [--concurrent]
// Needs `npm run build` first (npm run bench does it).
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const RATE = Number(arg('rate', 1000));
const SECONDS = Number(arg('seconds', 10));
const WARMUP = 2;
const STREAM = args.includes('--stream');
const CONCURRENT = args.includes('--concurrent');
const BLOCK_MS = 500;
const dist = new URL('../dist/', import.meta.url);

if (process.env.BENCH_ROLE === 'upstream') {
  const { DemoUpstream } = await import(new URL('gateway/index.js', dist).href);
  const up = new DemoUpstream({ wordsPerChunk: 8 });
  process.send({ url: await up.listen(0) });
  let cpu0 = process.cpuUsage();
  let req0 = 0;
  process.on('message', (m) => {
    if (m === 'reset') {
      cpu0 = process.cpuUsage();
      req0 = up.requests;
    }
    if (m === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      process.send({ cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, up.requests - req0) });
    }
  });
} else if (process.env.BENCH_ROLE === 'gateway') {
  const { startGateway } = await import(new URL('gateway/index.js', dist).href);
  const dir = process.env.BENCH_DIR;
  const g = await startGateway({
    upstream: process.env.BENCH_UPSTREAM,
    port: 0,
    decisionsFile: join(dir, 'decisions.json'),
    eventsOut: join(dir, 'events.ndjson'),
    spool: join(dir, 'spool.ndjson'),
    canarySecret: 'bench-canary-secret',
    canaryRegistry: join(dir, 'canaries.ndjson'),
    trustAccountHeader: true,
  });
  let cpu0 = process.cpuUsage();
  let req0 = 0;
  process.send({ url: g.url });
  process.on('message', async (m) => {
    // CPU the gateway spent per request since the last reset: a figure less at the mercy of load.
    if (m === 'reset') {
      cpu0 = process.cpuUsage();
      req0 = g.gateway.stats.requests;
    }
    if (m === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      const n = g.gateway.stats.requests - req0;
      process.send({ stats: g.gateway.stats, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, n) });
    }
    if (m === 'stop') {
      await g.close();
      process.exit(0);
    }
  });
} else {
  await main();
}

function child(role, env = {}) {
  const execArgv = process.env.BENCH_PROFILE === role ? ['--cpu-prof', '--cpu-prof-dir', tmpdir()] : [];
  const p = fork(fileURLToPath(import.meta.url), args, {
    env: { ...process.env, BENCH_ROLE: role, ...env },
    execArgv,
  });
  return new Promise((resolve) => p.once('message', (m) => resolve({ p, url: m.url })));
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dg-bench-gw-'));
  // Most accounts allowed; one in ten watched (canaries embedded), one in twenty degraded.
  const decisions = [];
  for (let i = 0; i < 100; i++) {
    if (i % 10 === 0)
      decisions.push({ account_id: `acct-${i}`, action: 'monitor', watch: true, cluster_id: 'hydra-bench' });
    else if (i % 20 === 5) decisions.push({ account_id: `acct-${i}`, action: 'degrade' });
  }
  writeFileSync(join(dir, 'decisions.json'), JSON.stringify(decisions));
  const upstream = await child('upstream');
  const gateway = await child('gateway', { BENCH_DIR: dir, BENCH_UPSTREAM: upstream.url });

  const targets = {
    direct: new Pool(upstream.url, { connections: 128 }),
    gateway: new Pool(gateway.url, { connections: 128 }),
  };
  const lat = { direct: [], gateway: [] };
  const errors = { direct: 0, gateway: 0 };
  let inflight = 0;
  let loadCpu0 = process.cpuUsage();
  let seq = 0;

  const send = (name, record) => {
    const i = seq++;
    const body = JSON.stringify({
      model: 'demo-1',
      stream: STREAM,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: `Explain item ${i % 500} of the catalogue in two sentences.` },
      ],
    });
    const t0 = performance.now();
    inflight++;
    targets[name]
      .request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer sk-bench-${i % 100}`,
          'x-account-id': `acct-${i % 100}`,
        },
        body,
      })
      .then(async (res) => {
        await res.body.text();
        if (res.statusCode !== 200) errors[name]++;
        else if (record) lat[name].push(performance.now() - t0);
      })
      .catch(() => errors[name]++)
      .finally(() => inflight--);
  };

  // Open loop: every tick, send what is due so far for both targets, alternating which goes first.
  // Alternating: each target gets SECONDS of traffic, so the stream runs twice as long.
  const total = (WARMUP + SECONDS * (CONCURRENT ? 1 : 2)) * RATE;
  const start = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
      while (sent < due) {
        const record = sent >= WARMUP * RATE;
        if (sent === WARMUP * RATE) {
          loadCpu0 = process.cpuUsage();
          gateway.p.send('reset');
          upstream.p.send('reset');
        }
        if (CONCURRENT) {
          // Both targets at RATE at once: twice the load on the host.
          send(sent % 2 === 0 ? 'direct' : 'gateway', record);
          send(sent % 2 === 0 ? 'gateway' : 'direct', record);
        } else {
          // One stream at RATE that alternates between the targets every BLOCK_MS, so both see the
          // same rate and the same background load over the run.
          send(Math.floor(sent / ((RATE * BLOCK_MS) / 1000)) % 2 === 0 ? 'direct' : 'gateway', record);
        }
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
  const loadCpu = process.cpuUsage(loadCpu0);
  const elapsed = (performance.now() - start) / 1000;

  gateway.p.send('stats');
  const { stats, cpuUsPerRequest } = await new Promise((r) => gateway.p.once('message', r));
  upstream.p.send('stats');
  const upstreamCpu = (await new Promise((r) => upstream.p.once('message', r))).cpuUsPerRequest;
  gateway.p.send('stop');
  upstream.p.kill();
  await Promise.all([targets.direct.close(), targets.gateway.close()]);

  const summary = {};
  for (const name of ['direct', 'gateway']) {
    const s = lat[name].sort((a, b) => a - b);
    summary[name] = {
      n: s.length,
      p50: pct(s, 0.5),
      p90: pct(s, 0.9),
      p99: pct(s, 0.99),
      max: s[s.length - 1],
    };
  }
  const f = (x) => x.toFixed(3).padStart(8);
  process.stdout.write(
    `gateway bench: ${RATE} req/s, ${SECONDS} s per target (+${WARMUP} s warm-up), ${CONCURRENT ? 'both targets at once' : `targets alternating every ${BLOCK_MS} ms`}, ${STREAM ? 'streamed (SSE)' : 'whole JSON'} chat completions; achieved ${((total * (CONCURRENT ? 2 : 1)) / elapsed).toFixed(0)} req/s total\n` +
      `latency ms        n      p50      p90      p99      max\n` +
      `direct     ${String(summary.direct.n).padStart(6)} ${f(summary.direct.p50)} ${f(summary.direct.p90)} ${f(summary.direct.p99)} ${f(summary.direct.max)}\n` +
      `gateway    ${String(summary.gateway.n).padStart(6)} ${f(summary.gateway.p50)} ${f(summary.gateway.p90)} ${f(summary.gateway.p99)} ${f(summary.gateway.max)}\n` +
      `added      ${' '.repeat(6)} ${f(summary.gateway.p50 - summary.direct.p50)} ${f(summary.gateway.p90 - summary.direct.p90)} ${f(summary.gateway.p99 - summary.direct.p99)}\n` +
      `errors: direct ${errors.direct}, gateway ${errors.gateway}; gateway recorded ${stats.events.recorded} events (sent ${stats.events.sent}, spooled ${stats.events.spooled}), ${stats.canaries} canaries, ${stats.degraded} degraded\n` +
      `CPU per request (user+system, measured window): gateway ${cpuUsPerRequest.toFixed(0)} µs, fake upstream ${upstreamCpu.toFixed(0)} µs, load generator ${((loadCpu.user + loadCpu.system) / (2 * SECONDS * RATE)).toFixed(0)} µs; host load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores\n`,
  );
}
