import { expect, it } from 'vitest';
import { scoreScale } from '../src/pipeline/index.js';
import { UserError } from '../src/contracts/index.js';
import { startService } from '../src/server/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../src/store/index.js';
import { TEST_POSTGRES_URL } from './store-harness.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// `serve` without --nats detects by itself: on the workers' database it used to store its own
// findings (empty: it has no events there) as the newest snapshot, hiding the workers' findings
// from every reader. It must refuse that database instead.
const input = simulatedPrefix(2_000, 31);

describeScale('scale-out: serve without --nats on the workers’ database', 2, (fx) => {
  it('is refused with one coded error; the workers’ findings stay the newest', async () => {
    await fx.publish(input);
    const worker = await fx.startWorker('sw-0');
    try {
      await fx.waitForApplied(input.events.length, 120_000);
    } finally {
      await worker.stop();
    }
    const scored = await scoreScale(fx.db, { force: true });
    expect(scored!.accounts.length).toBeGreaterThan(0);

    const started = startService({ databaseUrl: TEST_POSTGRES_URL, databaseSchema: fx.schema, port: 0 });
    const err = await started.then(
      async (service) => {
        // Today's code: it serves, and stores its own (empty) findings; give it the time to.
        await new Promise((r) => setTimeout(r, 3000));
        await service.close();
        return null;
      },
      (e: unknown) => e,
    );
    const latest = await latestFindingsSnapshot(fx.db as unknown as CoreDb);
    expect(latest?.accounts.length).toBe(scored!.accounts.length);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('INVALID_CONFIG');
    expect((err as UserError).message).toContain('scale-out workers');
  }, 300_000);
});
