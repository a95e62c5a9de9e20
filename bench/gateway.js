// Gateway added latency: the same requests to a local fake model, directly and through the
// gateway, side by side in one run at a fixed open-loop rate (default 1,000 req/s, 10 s per
// target, alternating targets every 500 ms; --concurrent sends to both at once instead).
// Usage: node bench/gateway.js [--rate 1000] [--seconds 10] [--stream] [--concurrent] [--bare-proxy]
//                               [--all-allowed]
//                               [--old DIR] [--new DIR]
// --bare-proxy adds a bare node:http + undici pass-through as a third target; --old DIR adds a
// second gateway built from another checkout's dist/ (e.g. main's), so old and new builds are
// measured alternated in one run. BENCH_PROFILE=gateway|bare|old|upstream (or several, comma-separated,
// e.g. gateway,bare to compare two proxies under the same load) writes that child's CPU profile
// (--cpu-prof) to $TMPDIR (file names carry the child's pid; the run prints which is which); BENCH_TRACE_GC=<same names> prints that child's GC trace.
// Needs `npm run build` first (npm run bench does it).
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { arg, args } from './args.js';

const RATE = Number(arg('rate', 1000));
const SECONDS = Number(arg('seconds', 10));
const WARMUP = 2;
const STREAM = args.includes('--stream');
const CONCURRENT = args.includes('--concurrent');
// Also measure a bare pass-through proxy (node:http + undici, nothing else): what any extra hop costs.
const BARE = args.includes('--bare-proxy');
const BLOCK_MS = 500;
// --all-allowed: no decisions at all (no degraded or watched accounts): the recording proxy alone.
const ALL_ALLOWED = args.includes('--all-allowed');
const OLD = arg('old', null);
// --new DIR: the "gateway" target from another dist/ than this checkout's (e.g. to swap the two
// builds' places, since the slots are not perfectly symmetric).
const NEW = arg('new', null);
const dist = process.env.BENCH_DIST
  ? new URL(`file://${process.env.BENCH_DIST.replace(/\/?$/, '/')}`)
  : new URL('../dist/', import.meta.url);

// Inside each proxy process: event-loop delay (what a request arriving at a random moment waits
// before the process even looks at it) and GC pauses, over the measured window. These say whether
// a proxy's tail is its own (long tasks, GC) or the host's (scheduler, other processes).
async function loopWatch() {
  const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const { constants } = await import('node:perf_hooks');
  // Major GCs (mark-compact) apart, with the heap left after each: what every one of them marks.
  const zero = () => ({ n: 0, ms: 0, max: 0, major: 0, majorMs: 0, heapAfterMajor: [] });
  let gc = zero();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.n++;
      gc.ms += e.duration;
      gc.max = Math.max(gc.max, e.duration);
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++;
        gc.majorMs += e.duration;
        gc.heapAfterMajor.push(process.memoryUsage().heapUsed / 2 ** 20);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  // CPU of the main thread and of the others (V8's GC helpers: parallel scavenge, concurrent
  // marking; libuv's pool: file writes) on Linux, since process.cpuUsage() sums them all.
  const threads = () => {
    // kernel: the stime of all threads (syscalls: loopback sends and receives, epoll, file writes).
    const out = { main: 0, other: 0, kernel: 0 };
    try {
      for (const tid of readdirSync('/proc/self/task')) {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const us = ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, at USER_HZ 100
        out[Number(tid) === process.pid ? 'main' : 'other'] += us;
        out.kernel += (Number(f[12]) * 1e6) / 100;
      }
    } catch {
      // not Linux: no breakdown
    }
    return out;
  };
  let t0 = threads();
  return {
    reset() {
      h.reset();
      gc = zero();
      t0 = threads();
    },
    get() {
      const ms = (ns) => ns / 1e6;
      const t = threads();
      const cpu = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v - t0[k]]));
      return { lagP99: ms(h.percentile(99)), lagMax: ms(h.max), gc: { ...gc }, cpu };
    },
  };
}

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
    if (m === 'stop') process.exit(0);
  });
} else if (process.env.BENCH_ROLE === 'bare') {
  const { createServer } = await import('node:http');
  const pool = new Pool(process.env.BENCH_UPSTREAM, { connections: 256 });
  let requests = 0;
  const server = createServer(async (req, res) => {
    requests++;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const up = await pool.request({
      method: req.method,
      path: req.url,
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    });
    res.writeHead(up.statusCode, { 'content-type': up.headers['content-type'] });
    for await (const c of up.body) res.write(c);
    res.end();
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  const watch = await loopWatch();
  let cpu0 = process.cpuUsage();
  let req0 = 0;
  process.on('message', (m) => {
    if (m === 'reset') {
      cpu0 = process.cpuUsage();
      req0 = requests;
      watch.reset();
    }
    if (m === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      process.send({
        cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, requests - req0),
        loop: watch.get(),
      });
    }
    // A clean exit, so --cpu-prof (BENCH_PROFILE) gets written.
    if (m === 'stop') process.exit(0);
  });
} else if (process.env.BENCH_ROLE === 'gateway') {
  // `distillguard gateway` runs inside the CLI: load what it loads, so the GC work measured is the
  // real process's. Before the CLI loaded commands lazily (8314444) that was every command's
  // modules (31.5 MB of heap against the gateway's own 25); since, the commands' registrations and
  // what the gateway command's action imports.
  await import(new URL('cli/commands/index.js', dist).href);
  await import(new URL('respond/index.js', dist).href);
  await import('pino');
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
  const watch = await loopWatch();
  let cpu0 = process.cpuUsage();
  let req0 = 0;
  process.send({ url: g.url });
  process.on('message', async (m) => {
    // CPU the gateway spent per request since the last reset: a figure less at the mercy of load.
    if (m === 'reset') {
      cpu0 = process.cpuUsage();
      req0 = g.gateway.stats.requests;
      watch.reset();
    }
    if (m === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      const n = g.gateway.stats.requests - req0;
      process.send({
        stats: g.gateway.stats,
        cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, n),
        loop: watch.get(),
      });
    }
    if (m === 'stop') {
      await g.close();
      process.exit(0);
    }
  });
} else {
  await main();
}

function child(role, env = {}, profileAs = role) {
  const execArgv = [
    ...(String(process.env.BENCH_PROFILE ?? '')
      .split(',')
      .includes(profileAs)
      ? ['--cpu-prof', '--cpu-prof-dir', tmpdir()]
      : []),
    // BENCH_TRACE_GC=gateway|bare|old: that child's --trace-gc lines on stdout.
    ...(process.env.BENCH_TRACE_GC === profileAs ? ['--trace-gc'] : []),
  ];
  const p = fork(fileURLToPath(import.meta.url), args, {
    env: { ...process.env, BENCH_ROLE: role, BENCH_DIST: '', ...env },
    execArgv,
  });
  if (process.env.BENCH_PROFILE) process.stderr.write(`${profileAs}: pid ${p.pid}\n`);
  return new Promise((resolve) => p.once('message', (m) => resolve({ p, url: m.url })));
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dg-bench-gw-'));
  // Most accounts allowed; one in ten watched (canaries embedded in half their answers: the default
  // rate), one in twenty degraded. The summary's "degraded" counts exchanges under that degrade
  // decision (request capped, answer stripped and re-serialised), not failures: decisions come from
  // a file, so there are no lookups to fail. --all-allowed drops the mix.
  const decisions = [];
  for (let i = 0; i < (ALL_ALLOWED ? 0 : 100); i++) {
    if (i % 10 === 0)
      decisions.push({ account_id: `acct-${i}`, action: 'monitor', watch: true, cluster_id: 'hydra-bench' });
    else if (i % 20 === 5) decisions.push({ account_id: `acct-${i}`, action: 'degrade' });
  }
  writeFileSync(join(dir, 'decisions.json'), JSON.stringify(decisions));
  const upstream = await child('upstream');
  const gateway = await child('gateway', {
    BENCH_DIR: dir,
    BENCH_UPSTREAM: upstream.url,
    BENCH_DIST: NEW ? resolve(NEW) : '',
  });
  let old = null;
  if (OLD) {
    const oldDir = mkdtempSync(join(tmpdir(), 'dg-bench-gw-old-'));
    writeFileSync(join(oldDir, 'decisions.json'), JSON.stringify(decisions));
    old = await child(
      'gateway',
      { BENCH_DIR: oldDir, BENCH_UPSTREAM: upstream.url, BENCH_DIST: resolve(OLD) },
      'old',
    );
  }

  const bare = BARE ? await child('bare', { BENCH_UPSTREAM: upstream.url }) : null;
  const names = ['direct', ...(BARE ? ['bare'] : []), ...(OLD ? ['old'] : []), 'gateway'];
  const targets = {
    direct: new Pool(upstream.url, { connections: 128 }),
    gateway: new Pool(gateway.url, { connections: 128 }),
    ...(bare ? { bare: new Pool(bare.url, { connections: 128 }) } : {}),
    ...(old ? { old: new Pool(old.url, { connections: 128 }) } : {}),
  };
  const lat = { direct: [], gateway: [], bare: [], old: [] };
  const errors = { direct: 0, gateway: 0, bare: 0, old: 0 };
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
  const total = (WARMUP + SECONDS * (CONCURRENT ? 1 : names.length)) * RATE;
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
          bare?.p.send('reset');
          old?.p.send('reset');
        }
        if (CONCURRENT) {
          // Both targets at RATE at once: twice the load on the host.
          for (let k = 0; k < names.length; k++) send(names[(sent + k) % names.length], record);
        } else {
          // One stream at RATE that alternates between the targets every BLOCK_MS, so both see the
          // same rate and the same background load over the run.
          send(names[Math.floor(sent / ((RATE * BLOCK_MS) / 1000)) % names.length], record);
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
  const { stats, cpuUsPerRequest, loop: gwLoop } = await new Promise((r) => gateway.p.once('message', r));
  upstream.p.send('stats');
  const upstreamCpu = (await new Promise((r) => upstream.p.once('message', r))).cpuUsPerRequest;
  gateway.p.send('stop');
  let oldStats = null;
  if (old) {
    old.p.send('stats');
    oldStats = await new Promise((r) => old.p.once('message', r));
    old.p.send('stop');
  }
  let bareCpu = 0;
  let bareLoop = null;
  if (bare) {
    bare.p.send('stats');
    ({ cpuUsPerRequest: bareCpu, loop: bareLoop } = await new Promise((r) => bare.p.once('message', r)));
    bare.p.send('stop');
  }
  upstream.p.send('stop');
  await Promise.all(Object.values(targets).map((t) => t.close()));

  const summary = {};
  for (const name of names) {
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
  const label = { direct: 'direct', bare: 'bare proxy', old: 'gateway old', gateway: 'gateway' };
  const row = (name) => {
    const x = summary[name];
    return `${label[name].padEnd(13)}${String(x.n).padStart(6)} ${f(x.p50)} ${f(x.p90)} ${f(x.p99)} ${f(x.max)}\n`;
  };
  const diff = (text, a, b) =>
    `${text.padEnd(13)}${' '.repeat(6)} ${f(a.p50 - b.p50)} ${f(a.p90 - b.p90)} ${f(a.p99 - b.p99)}\n`;
  const proxies = names.filter((n) => n !== 'direct');
  const cpu = { gateway: cpuUsPerRequest, bare: bareCpu, old: oldStats?.cpuUsPerRequest ?? 0 };
  const us = (x) => `${x.toFixed(0)} µs`;
  const ratios = [
    ...(bare ? [`gateway/bare ${(cpu.gateway / cpu.bare).toFixed(2)}×`] : []),
    ...(bare && old ? [`old/bare ${(cpu.old / cpu.bare).toFixed(2)}×`] : []),
    ...(old ? [`gateway/old ${(cpu.gateway / cpu.old).toFixed(2)}×`] : []),
  ];
  process.stdout.write(
    `gateway bench: ${RATE} req/s, ${SECONDS} s per target (+${WARMUP} s warm-up), ${CONCURRENT ? 'all targets at once' : `targets alternating every ${BLOCK_MS} ms`}, ${STREAM ? 'streamed (SSE)' : 'whole JSON'} chat completions; achieved ${((total * (CONCURRENT ? names.length : 1)) / elapsed).toFixed(0)} req/s total\n` +
      `latency ms          n      p50      p90      p99      max\n` +
      names.map(row).join('') +
      proxies.map((n) => diff(`added ${n === 'gateway' ? 'gw' : n}`, summary[n], summary.direct)).join('') +
      (bare
        ? proxies
            .filter((n) => n !== 'bare')
            .map((n) => diff(`${n === 'gateway' ? 'gw' : n} vs bare`, summary[n], summary.bare))
            .join('')
        : '') +
      `errors: ${names.map((n) => `${label[n]} ${errors[n]}`).join(', ')}; gateway recorded ${stats.events.recorded} events (sent ${stats.events.sent}, spooled ${stats.events.spooled}), ${stats.canaries} canaries, ${stats.degraded} degraded\n` +
      `CPU per request (user+system, measured window): ${proxies.map((n) => `${label[n]} ${us(cpu[n])}`).join(', ')}, fake upstream ${us(upstreamCpu)}, load generator ${us((loadCpu.user + loadCpu.system) / (names.length * SECONDS * RATE))}${ratios.length ? `; ${ratios.join(', ')}` : ''}\n` +
      `in-process (measured window): ${proxies
        .map((n) => {
          const l = { gateway: gwLoop, bare: bareLoop, old: oldStats?.loop }[n];
          const per = (us) => (us / (SECONDS * RATE)).toFixed(0);
          return `${label[n]} loop delay p99 ${l.lagP99.toFixed(1)} max ${l.lagMax.toFixed(1)} ms, GC ${l.gc.n}× ${l.gc.ms.toFixed(0)} ms (max ${l.gc.max.toFixed(1)}; major ${l.gc.major}× ${l.gc.majorMs.toFixed(0)} ms, heap after ${l.gc.heapAfterMajor.length ? `${Math.min(...l.gc.heapAfterMajor).toFixed(0)}–${Math.max(...l.gc.heapAfterMajor).toFixed(0)} MB` : 'n/a'}), CPU µs/request main thread ${per(l.cpu.main)}, other threads ${per(l.cpu.other)}, kernel (all threads) ${per(l.cpu.kernel)}`;
        })
        .join('; ')}\n` +
      `host load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores\n`,
  );
}
