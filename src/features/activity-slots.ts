/** Width of an activity slot: close enough to see one client's requests interleave across accounts. */
export const SLOT_MS = 5 * 60_000;
export const SLOTS_PER_DAY = 288;
/**
 * An account active in more slots than this (170 hours at 5 minutes) is no light user hiding in
 * a pool: its own volume and timing detectors see it, so its slots are dropped to keep memory
 * bounded and it is left out of synchronisation tests.
 */
const MAX_SLOTS = 2048;

/** The 5-minute slots an account was active in (bounded): what synchronised-activity linkage compares. */
export class ActivitySlots {
  private slots = new Set<number>();
  // An account's requests mostly arrive in runs within one slot: skip the set for those.
  private last = NaN;
  saturated = false;

  add(tsMs: number): void {
    const slot = Math.floor(tsMs / SLOT_MS);
    if (slot === this.last || this.saturated) return;
    this.last = slot;
    this.slots.add(slot);
    if (this.slots.size > MAX_SLOTS) this.saturate();
  }

  merge(o: ActivitySlots): void {
    if (o.saturated) this.saturate();
    if (this.saturated) return;
    for (const s of o.slots) this.slots.add(s);
    if (this.slots.size > MAX_SLOTS) this.saturate();
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slots, ascending. */
  sorted(): number[] {
    return [...this.slots].sort((a, b) => a - b);
  }

  snapshot(): { saturated: boolean; slots: number[] } {
    return { saturated: this.saturated, slots: this.saturated ? [] : this.sorted() };
  }

  static from(s: { saturated: boolean; slots: readonly number[] }): ActivitySlots {
    const a = new ActivitySlots();
    a.saturated = s.saturated;
    for (const x of s.slots) a.slots.add(x);
    return a;
  }

  private saturate(): void {
    this.saturated = true;
    this.slots = new Set();
  }
}
