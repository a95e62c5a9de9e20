import { describe, expect, it } from 'vitest';
import { WorkSlice, yieldToEventLoop } from './event-loop.js';

/** Counts turns of the event loop: a setImmediate chain runs exactly once per iteration. */
function loopTurns(): { now: () => number; stop: () => void } {
  let turn = 0;
  let on = true;
  const tick = () => {
    turn++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turn, stop: () => (on = false) };
}

describe('yieldToEventLoop', () => {
  it('resumes one waiting caller per turn of the loop, so I/O is polled between any two slices', async () => {
    const turns = loopTurns();
    const seen: number[] = [];
    // Four batches in flight, as four shippers' requests: each slice notes the turn it ran in.
    const batch = async () => {
      for (let i = 0; i < 5; i++) {
        await yieldToEventLoop();
        seen.push(turns.now());
      }
    };
    await Promise.all([batch(), batch(), batch(), batch()]);
    turns.stop();
    expect(seen).toHaveLength(20);
    // With a plain setImmediate all four resumed in the same check phase, one after another.
    expect(new Set(seen).size).toBe(20);
  });

  it('resumes callers in the order they yielded', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3].map(async (n) => (await yieldToEventLoop(), order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});

describe('WorkSlice', () => {
  it('is due once its time budget is spent, and starts a new slice after yielding', async () => {
    const slice = new WorkSlice(5, 1);
    expect(slice.due()).toBe(false);
    const until = performance.now() + 6;
    while (performance.now() < until); // busy work past the budget
    expect(slice.due()).toBe(true);
    await slice.yield();
    expect(slice.due()).toBe(false);
  });
});
