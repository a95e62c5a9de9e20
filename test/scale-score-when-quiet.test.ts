import { expect, it } from 'vitest';
import type { Findings } from '../src/contracts/index.js';
import { batchFindings, comparable, describeScale, simulatedPrefix, waitFor } from './scale-harness.js';

// Findings used to follow the end of a burst only at the next --score-every interval (30 s by
// default; here 10 minutes, so only a round run on quiet can score). With --score-when-quiet a
// round runs once commits stop, and none runs while nothing changes.
const input = simulatedPrefix(2_500, 23);
const first = input.events.slice(0, 2_000);
const rest = input.events.slice(2_000);

describeScale('scale-out: findings follow the end of a burst (score when quiet)', 2, (fx) => {
  it('scores each burst once commits stop, to what batch analyze gives, and not again while idle', async () => {
    const scored: Findings[] = [];
    const w = await fx.startWorker('quiet-0', {
      scoreEveryMs: 600_000,
      scoreWhenQuietMs: 500,
      onScored: (f) => scored.push(f),
    });
    const scoredTo = (events: typeof first) => {
      const want = JSON.stringify(comparable(batchFindings({ accounts: input.accounts, events })));
      return waitFor(
        `findings over ${events.length} events`,
        () => scored.length,
        () => scored.some((f) => JSON.stringify(comparable(f)) === want),
        { timeoutMs: 60_000 },
      );
    };

    await fx.publish({ accounts: input.accounts, events: first });
    await scoredTo(first);
    await fx.publish({ accounts: [], events: rest });
    await scoredTo(input.events);
    expect(w.scoringMode.quietRounds).toBe(scored.length);
    expect(scored.length).toBeGreaterThanOrEqual(2);

    // Nothing committed since: the idle worker polls but runs no round.
    const rounds = scored.length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(scored.length).toBe(rounds);
  }, 180_000);
});
