import { describe, expect, it } from 'vitest';
import { DetectionEngine, KERNEL_DIMENSIONS } from '../src/findings/index.js';
import { encodeAccountState, restoreStoredAccount } from '../src/pipeline/index.js';
import { batchFindings, comparable } from './scale-harness.js';
import { simulatedTraffic } from './server-harness.js';

// A worker stores each changed account as JSON without its kernel sum plus the kernel sum in
// binary; the scorer and a resuming worker restore it. The round trip must be exact, rows of the
// earlier form (kernel in the JSON) must still restore, and a row that does not fit is refused.
describe('account state encoding', () => {
  for (const seed of [4, 102]) {
    it(`restores to an engine whose findings equal batch (simulation seed ${seed})`, () => {
      const input = simulatedTraffic(6000, seed, 14);
      const engine = new DetectionEngine();
      for (const a of input.accounts) engine.addAccount(a);
      for (const e of input.events) engine.addEvent(e);
      const restored = new DetectionEngine();
      const ids = new Set([...engine.accountIds(), ...input.accounts.map((a) => a.account_id)]);
      let binary = 0;
      for (const id of ids) {
        const row = encodeAccountState(engine, id)!;
        if (row.kernel) binary++;
        // The JSON no longer carries the kernel sum.
        expect(
          (JSON.parse(row.state) as { stats: { kernelSum: number[] } | null }).stats?.kernelSum ?? [],
        ).toEqual([]);
        restoreStoredAccount(restored, { state: row.state, kernel: row.kernel });
      }
      expect(binary).toBe([...engine.accountIds()].length);
      for (const id of ids) expect(restored.accountState(id)).toEqual(engine.accountState(id));
      const findings = restored.analyze().findings;
      expect(findings.accounts.some((a) => a.level !== 'none')).toBe(true);
      expect(comparable(findings)).toEqual(comparable(batchFindings(input)));
    });
  }

  const engine = new DetectionEngine();
  for (const e of simulatedTraffic(300, 4, 14).events) engine.addEvent(e);
  const id = [...engine.accountIds()][0]!;
  const row = encodeAccountState(engine, id)!;

  it('restores a row written before the kernel column (kernel sum in the JSON)', () => {
    const old = new DetectionEngine();
    restoreStoredAccount(old, { state: JSON.stringify(engine.accountState(id)), kernel: null });
    expect(old.accountState(id)).toEqual(engine.accountState(id));
    expect(old.accountState(id)!.stats!.kernelSum).toHaveLength(KERNEL_DIMENSIONS);
  });

  const nan = Buffer.from(row.kernel!);
  nan.writeDoubleLE(NaN, 8);
  const bad: [string, { state: string; kernel: Buffer | null }][] = [
    ['a short kernel', { state: row.state, kernel: row.kernel!.subarray(8) }],
    ['a non-finite kernel value', { state: row.state, kernel: nan }],
    [
      'a kernel both in the JSON and in binary',
      { state: JSON.stringify(engine.accountState(id)), kernel: row.kernel },
    ],
    [
      'a kernel beside no statistics',
      { state: JSON.stringify({ ...engine.accountState(id), stats: null }), kernel: row.kernel },
    ],
    ['JSON that is not an AccountState', { state: '{"account_id":""}', kernel: row.kernel }],
  ];
  for (const [what, stored] of bad)
    it(`refuses ${what}`, () => {
      expect(() => restoreStoredAccount(new DetectionEngine(), stored)).toThrow();
    });
});
