import { describe, expect, it } from 'vitest';
import { ActivitySlots, SLOT_MS } from './activity-slots.js';

describe('activity slots', () => {
  it('records each 5-minute slot once, survives a snapshot, and merges', () => {
    const a = new ActivitySlots();
    for (const ts of [0, 60_000, SLOT_MS, 3 * SLOT_MS + 1]) a.add(ts);
    expect(a.sorted()).toEqual([0, 1, 3]);
    const b = ActivitySlots.from(
      JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<ActivitySlots['snapshot']>,
    );
    b.add(10 * SLOT_MS);
    b.merge(a);
    expect(b.sorted()).toEqual([0, 1, 3, 10]);
  });
  it('stops recording an account busy in more slots than a light user could be, and says so', () => {
    const busy = new ActivitySlots();
    for (let s = 0; s <= 2048; s++) busy.add(s * SLOT_MS);
    expect(busy.saturated).toBe(true);
    expect(busy.size).toBe(0);
    expect(busy.snapshot()).toEqual({ saturated: true, slots: [] });
    const light = new ActivitySlots();
    light.add(0);
    light.merge(busy);
    expect(light.saturated).toBe(true);
  });
});
