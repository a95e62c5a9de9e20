import { expect, it } from 'vitest';
import { scaleProgress } from '../src/store/index.js';
import { describeScale, exitOnSigterm, simulatedPrefix } from './scale-harness.js';

// Kubernetes sends SIGTERM and SIGKILLs 30 s later. A worker used to finish its stop only after
// the wait between scoring rounds ran out (up to --score-every), so it was killed holding its
// leases. Stopping must cut that wait short and free the leases for the next worker at once.
const input = simulatedPrefix(1_500, 41);

describeScale('scale-out: a worker stops on SIGTERM without waiting for its scoring round', 4, (fx) => {
  it('exits 0 with its leases released, although the next scoring is 10 minutes away', async () => {
    await fx.publish(input);
    const worker = await fx.spawnWorker('k8s-0', ['--score-every', '10m']);
    await fx.waitForApplied(input.events.length, 120_000);
    let out = '';
    worker.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    // Bounded at 60 s, far below the scoring interval.
    expect(await exitOnSigterm(worker)).toBe(0);
    expect(out).toContain('worker k8s-0 stopped');
    // Every lease was given back: the next worker may claim them at once.
    const progress = await scaleProgress(fx.db);
    expect(progress.partitions.map((p) => p.owner)).toEqual([null, null, null, null]);
  }, 300_000);
});
