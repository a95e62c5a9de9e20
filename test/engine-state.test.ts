import { describe, expect, it } from 'vitest';
import { AccountState, EngineState, type ApiEvent, type Findings } from '../src/contracts/index.js';
import { simulationStream } from '../src/sim/index.js';
import { fingerprint64 } from '../src/text/index.js';
import { DetectionEngine } from '../src/findings/index.js';

// Workers (threads or scale-out processes) each own a partition of the accounts and hand their
// state over as JSON. Merged, that state must score exactly as one engine that saw everything.
const sim = simulationStream({ scale: 'small', seed: 3 });
const events: ApiEvent[] = [...sim.events()];
const partitionOf = (accountId: string, partitions: number): number =>
  parseInt(fingerprint64(accountId).slice(0, 8), 16) % partitions;

const comparable = (f: Findings) => ({
  input: { ...f.input },
  accounts: f.accounts.map((a) => [a.account_id, a.level, a.score, a.cluster_id, a.events]),
  clusters: f.clusters.map((c) => [c.cluster_id, c.level, c.score, c.account_ids.length, c.events]),
});

describe('engine state', () => {
  it('partitions exported as JSON and merged give the same findings as one engine', () => {
    const whole = new DetectionEngine();
    for (const a of sim.accounts) whole.addAccount(a.record);
    for (const e of events) whole.addEvent(e);

    const parts = [new DetectionEngine(), new DetectionEngine(), new DetectionEngine()];
    for (const a of sim.accounts) parts[partitionOf(a.record.account_id, 3)]!.addAccount(a.record);
    for (const e of events) parts[partitionOf(e.account_id, 3)]!.addEvent(e);
    const merged = new DetectionEngine();
    // Reverse order on purpose: the result must not depend on which partition reports first.
    for (const p of [...parts].reverse())
      merged.importState(EngineState.parse(JSON.parse(JSON.stringify(p.exportState()))));

    // The thread hand-off: kernel sums packed, the rest structured-cloned.
    const packed = new DetectionEngine();
    for (const p of [...parts].reverse()) {
      const { state, kernels } = structuredClone(p.exportPartition());
      packed.importState(state, kernels);
    }

    expect(merged.events).toBe(events.length);
    const a = whole.analyze().findings;
    const b = merged.analyze().findings;
    expect(b.accounts.some((x) => x.level === 'act')).toBe(true);
    expect(comparable(b)).toEqual(comparable(a));
    expect(comparable(packed.analyze().findings)).toEqual(comparable(a));
    // Same state; only the key order of records differs (the JSON path re-parses them).
    expect(packed.exportState()).toEqual(merged.exportState());
  }, 300_000);

  it('a restored account resumes exactly where it stopped', () => {
    const id = sim.accounts.find((a) => a.truth.campaign === 'hydra')!.record.account_id;
    const own = events.filter((e) => e.account_id === id);
    const half = Math.floor(own.length / 2);
    const straight = new DetectionEngine();
    for (const e of own) straight.addEvent(e);

    const first = new DetectionEngine();
    for (const e of own.slice(0, half)) first.addEvent(e);
    const resumed = new DetectionEngine();
    resumed.restoreAccount(AccountState.parse(JSON.parse(JSON.stringify(first.accountState(id)))));
    for (const e of own.slice(half)) resumed.addEvent(e);

    expect(resumed.accountState(id)).toEqual(straight.accountState(id));
    expect(resumed.events).toBe(own.length);
  });
});
