import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { ScaleWorker } from '../src/pipeline/index.js';
import type { Findings } from '../src/contracts/index.js';
import { startService } from '../src/server/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../src/store/index.js';
import { TEST_POSTGRES_URL } from './store-harness.js';
import {
  publishAll,
  useScaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  waitForApplied,
} from './scale-harness.js';
import { call } from './server-harness.js';

// An analyst's false-positive verdict given through `serve --nats` reaches the workers' global
// stage (the engine's benign reference): the next scoring re-runs without any new event and
// calibrates on the account, as one engine given the same verdict does.
const skip = await scaleSkipReason();
const input = simulatedPrefix(5_000, 23);

const referenceAccounts = (f: Findings | null | undefined): number =>
  (f as { calibration?: { reference_accounts: number } } | null | undefined)?.calibration
    ?.reference_accounts ?? -1;

async function until<T>(
  what: string,
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 120_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip !== null)('scale-out: false-positive verdicts reach scoring', () => {
  const fx = useScaleFixture(4);

  it('a case closed as false positive in serve --nats changes the next scoring', async () => {
    const db = fx.db as unknown as CoreDb;
    await publishAll(fx.nc, fx.topology, input);
    const worker = new ScaleWorker({
      nc: fx.nc,
      db: fx.db,
      topology: fx.topology,
      workerId: 'fp-0',
      scoreEveryMs: 300,
    });
    await worker.start();
    const service = await startService({
      databaseUrl: TEST_POSTGRES_URL,
      databaseSchema: fx.schema,
      nats: 'nats://127.0.0.1:4222',
      natsTopology: fx.topology,
      port: 0,
      logger: false,
      adminKey: 'dg_test_fp_admin_key_0123456789abcdef',
    });
    try {
      await waitForApplied(fx.db, input.events.length);
      const before = await until(
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
      const after = await until(
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
