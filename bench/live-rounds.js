// How long serve's main thread is blocked by live detection's scoring rounds (issue 20): a serve
// service in this process is given a small simulation's accounts and most of its events, then a
// steady trickle of the rest while live detection re-scores on its own timer. A 2 ms timer on the
// same event loop records every gap; each scoring round's gaps are what an enforcement lookup or
// guardrail hook arriving then would wait; the thread's garbage collections are counted beside
// them, so a gap can be told from a collection in it. Run after `npm run build`:
//   node bench/live-rounds.js [--seconds 40] [--rate 1000] [--seed 1] [--warm 60000] [--dist DIR]
// --dist runs another build (e.g. main's, built in a folder inside this checkout) the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arg } from './args.js';
import { quantiles } from './quantiles.js';

const SECONDS = Number(arg('seconds', 40));
const RATE = Number(arg('rate', 1000));
const SEED = Number(arg('seed', 1));
const DIST = path.resolve(arg('dist', fileURLToPath(new URL('../dist', import.meta.url))));
const { simulationStream } = await import(pathToFileURL(path.join(DIST, 'sim/index.js')).href);
const { startService } = await import(pathToFileURL(path.join(DIST, 'server/index.js')).href);

// The events are generated first and kept as their JSON lines, one string each: as objects, a
// heap of 100,000 events made every major GC a stall of its own, and generating them while the
// probe runs made the bench's own young-generation collections the longest gaps. Each is parsed
// when fed, as serve's ingest parses a line, and is garbage soon after.
const sim = simulationStream({ scale: 'small', seed: SEED });
const lines = Array.from(sim.events(), (e) => JSON.stringify(e));
let next = 0;
const take = (n) => lines.slice(next, (next += n)).map((l) => JSON.parse(l));
const warm = Number(arg('warm', 60_000));
const dir = mkdtempSync(path.join(tmpdir(), 'dg-bench-live-rounds-'));
const service = await startService({
  dataDir: dir,
  port: 0,
  logger: false,
  adminKey: 'dg_benchLiveRounds_0123456789abcdef',
});
try {
  await service.ready;
  const live = service.ctx.live;
  live.addAccounts(sim.accounts.map((a) => a.record));
  for (let i = 0; i < warm; i += 500) {
    live.addEvents(take(500));
    await live.backpressure();
  }
  await live.refresh();
  console.log(
    `${path.relative(process.cwd(), DIST) || '.'}: ${warm} events and ${sim.accounts.length} accounts in; trickling ${RATE} events/s for ${SECONDS} s (load ${loadavg()[0].toFixed(1)})`,
  );

  const rounds = [];
  const previous = live.onScoringRound;
  live.onScoringRound = (s, ok) => {
    rounds.push(performance.now());
    previous?.(s, ok);
  };
  const gaps = [];
  const long = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    if (now - last >= 25) long.push([last, now]);
    last = now;
  }, 2);
  // This thread's garbage collections, to tell a round's own work from a collection in the gaps.
  const collections = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      collections.push({ at: e.startTime, ms: e.duration, kind: e.detail?.kind });
  });
  gc.observe({ entryTypes: ['gc'] });
  const tick = 100;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const end = performance.now() + SECONDS * 1000;
  for (let batch = take(perTick); performance.now() < end && batch.length > 0; batch = take(perTick)) {
    live.addEvents(batch);
    await new Promise((r) => setTimeout(r, tick));
  }
  clearInterval(probe);
  gc.disconnect();
  const q = quantiles(gaps);
  const over = (ms) => gaps.filter((g) => g >= ms).length;
  const top = [...gaps]
    .sort((a, b) => b - a)
    .slice(0, 5)
    .map((g) => g.toFixed(0));
  console.log(
    `rounds ${rounds.length}; loop gaps (2 ms timer) n=${gaps.length} p50 ${q.p50.toFixed(2)} p99 ${q.p99.toFixed(2)} max ${q.max.toFixed(1)} ms; ` +
      `gaps >= 20 ms: ${over(20)}, >= 50 ms: ${over(50)}, >= 100 ms: ${over(100)}; longest ${top.join(', ')} ms; load ${loadavg()[0].toFixed(1)}`,
  );
  const young = collections.filter((c) => c.kind === constants.NODE_PERFORMANCE_GC_MINOR);
  const inGap = ([from, to]) => collections.filter((c) => c.at >= from && c.at <= to);
  const withGc = long.filter((g) => inGap(g).length > 0);
  console.log(
    `collections on this thread: ${collections.length} (${young.length} young-generation, longest ${Math.max(0, ...young.map((c) => c.ms)).toFixed(1)} ms), ` +
      `${collections.reduce((a, c) => a + c.ms, 0).toFixed(0)} ms in all; gaps >= 25 ms: ${long.length}, ${withGc.length} of them holding a collection ` +
      `(${withGc.reduce((a, g) => a + inGap(g).reduce((b, c) => b + c.ms, 0), 0).toFixed(0)} of their ${long.reduce((a, [f, t]) => a + t - f, 0).toFixed(0)} ms)`,
  );
} finally {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
