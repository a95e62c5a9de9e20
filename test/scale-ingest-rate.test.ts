import { beforeAll, expect, it } from 'vitest';
import type { ScaleMessage } from '../src/contracts/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import { describeScale, ingestArgs, simulatedPrefix, writeIngestFiles } from './scale-harness.js';

// `ingest --rate R` replays a file as live traffic: event i goes out no sooner than i / R seconds
// after the first, so N events span at least (N - 1) / R seconds (a bound on the pacing, which is
// the flag's behaviour; how fast workers keep up is measured by bench/scale.js), and pacing loses
// or repeats nothing: the stream holds every event once.
const N = 300;
const RATE = 150;
const input = simulatedPrefix(N, 61);

describeScale('ingest --rate paces publication to the stream', 4, (fx) => {
  beforeAll(ensureBuilt);

  it(`publishes ${N} events at ${RATE}/s over at least ${((N - 1) / RATE).toFixed(2)} s, each once`, async () => {
    const files = writeIngestFiles('dg-ingest-rate-', input);

    const began = Date.now();
    const r = await runCli(
      [...ingestArgs(fx.topology, files), '--rate', String(RATE), '--json', '--no-progress'],
      { timeout: 120_000 },
    );
    const wallMs = Date.now() - began;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      published: {
        published: number;
        duplicates: number;
        rate: number;
        first_sent_at: string;
        last_stored_at: string;
      };
    };
    const total = N + input.accounts.length;
    expect(out.published).toMatchObject({ published: total, duplicates: 0, rate: RATE });
    // Account records go first, unpaced; the events then take (N - 1) / RATE s at least (the pacer
    // may send an item up to 4 ms early; the timestamps are whole milliseconds).
    const minMs = ((N - 1) / RATE) * 1000 - 10;
    const spanMs = Date.parse(out.published.last_stored_at) - Date.parse(out.published.first_sent_at);
    expect(spanMs).toBeGreaterThanOrEqual(minMs);
    expect(wallMs).toBeGreaterThanOrEqual(minMs);

    // Every message on the stream, read back by sequence: each event exactly once.
    const jsm = await fx.nc.jetstreamManager();
    const info = await jsm.streams.info(fx.topology.stream);
    expect(info.state.messages).toBe(total);
    const seen = new Map<string, number>();
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = (await jsm.streams.getMessage(fx.topology.stream, { seq })).json<ScaleMessage>();
      if (m.kind === 'event') seen.set(m.event.id, (seen.get(m.event.id) ?? 0) + 1);
    }
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(seen.keys())).toEqual(new Set(input.events.map((e) => e.id)));
  }, 180_000);
});
