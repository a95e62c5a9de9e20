import { expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import type { Findings } from '../src/contracts/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../src/store/index.js';
import { describeScale, serveOnWorkersDatabase, simulatedPrefix, waitFor } from './scale-harness.js';
import { call } from './server-harness.js';

// An analyst's false-positive verdict given through `serve --nats` reaches the workers' global
// stage (the engine's benign reference): the next scoring re-runs without any new event and
// calibrates on the account, as one engine given the same verdict does.
const input = simulatedPrefix(5_000, 23);

const referenceAccounts = (f: Findings | null | undefined): number =>
  (f as { calibration?: { reference_accounts: number } } | null | undefined)?.calibration
    ?.reference_accounts ?? -1;

describeScale('scale-out: false-positive verdicts reach scoring', 4, (fx) => {
  it('a case closed as false positive in serve --nats changes the next scoring', async () => {
    const db = fx.db as unknown as CoreDb;
    await fx.publish(input);
    const worker = await fx.startWorker('fp-0', { scoreEveryMs: 300 });
    const service = await serveOnWorkersDatabase(fx, 'dg_test_fp_admin_key_0123456789abcdef');
    try {
      await fx.waitForApplied(input.events.length);
      const before = await waitFor(
        'the first complete scoring',
        () => latestFindingsSnapshot(db),
        (f) => f?.input.events === input.events.length,
      );
      // A linked account: excluded from the population reference unless judged benign.
      const account = before!.clusters[0]?.account_ids[0];
      expect(account).toBeDefined();

      const key = 'dg_test_fp_admin_key_0123456789abcdef';
      const opened = await call(`${service.url}/v1/cases`, 'POST', key, {
        json: { subject_type: 'account', subject_id: account, title: 'looks like a campaign' },
      });
      expect(opened.status).toBe(201);
      const id = (JSON.parse(opened.text) as { id: string }).id;
      const closed = await call(`${service.url}/v1/cases/${id}`, 'PATCH', key, {
        json: { status: 'false_positive' },
      });
      expect(closed.status).toBe(200);

      // No new events: the verdict alone makes the workers score again.
      const after = await waitFor(
        'a scoring that includes the verdict',
        () => latestFindingsSnapshot(db),
        (f) => referenceAccounts(f) !== referenceAccounts(before),
      );
      const engine = new DetectionEngine();
      for (const a of input.accounts) engine.addAccount(a);
      for (const e of input.events) engine.addEvent(e);
      engine.addBenignReference(account!);
      const batch = engine.analyze().findings;
      expect(referenceAccounts(after)).toBe(referenceAccounts(before) + 1);
      expect(referenceAccounts(after)).toBe(referenceAccounts(batch));
    } finally {
      await service.close();
      await worker.stop();
    }
  }, 300_000);
});
