/**
 * Misra-Gries heavy-hitter sketch: every key with more than n/(k+1) occurrences is kept, with a
 * count that underestimates by at most n/(k+1), in O(k) memory. Underestimates keep evidence
 * conservative: a key reported as frequent really is. Bounds per-entity memory however many
 * distinct values an account produces.
 */
export class TopK {
  private readonly counts = new Map<string, number>();
  /** top()'s sorted entries until the next change: scoring asks for them many times per entity. */
  private sorted: [string, number][] | null = null;
  constructor(private readonly capacity: number) {}

  add(key: string, by = 1): void {
    this.sorted = null;
    const c = this.counts.get(key);
    if (c !== undefined) this.counts.set(key, c + by);
    else this.counts.set(key, by);
    if (this.counts.size > this.capacity) this.shrink();
  }

  /** Subtracts the (k+1)-th largest count from every key and drops those at zero. */
  private shrink(): void {
    let cut: number;
    if (this.counts.size === this.capacity + 1) {
      // From add() (per event, hot): the (k+1)-th largest of k+1 counts is the smallest; no sort.
      cut = Infinity;
      for (const v of this.counts.values()) if (v < cut) cut = v;
    } else {
      const sorted = [...this.counts.values()].sort((a, b) => b - a);
      cut = sorted[this.capacity] ?? 0;
    }
    for (const [k, v] of this.counts) {
      if (v <= cut) this.counts.delete(k);
      else this.counts.set(k, v - cut);
    }
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  top(n = this.capacity): [string, number][] {
    this.sorted ??= [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return this.sorted.slice(0, n);
  }

  get size(): number {
    return this.counts.size;
  }

  /** Kept keys and counts, for a durable snapshot. */
  entries(): [string, number][] {
    return [...this.counts];
  }

  /** Restores a snapshot taken with `entries()`. */
  static from(capacity: number, entries: readonly (readonly [string, number])[]): TopK {
    const t = new TopK(capacity);
    for (const [k, v] of entries) t.counts.set(k, v);
    if (t.counts.size > capacity) t.shrink();
    return t;
  }

  mergeFrom(other: TopK): void {
    this.sorted = null;
    for (const [k, v] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
    if (this.counts.size > this.capacity) this.shrink();
  }
}

/** Uniform sample of up to `capacity` items from a stream (Algorithm R, deterministic seed). */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private state: number;
  constructor(
    private readonly capacity: number,
    seed = 1,
  ) {
    this.state = seed >>> 0 || 1;
  }

  private next(): number {
    // xorshift32: cheap and reproducible, so the same input yields the same examples.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }

  snapshot(): { items: T[]; seen: number; state: number } {
    return { items: [...this.items], seen: this.seen, state: this.state };
  }

  /** Restores a snapshot, so a resumed stream samples exactly as an uninterrupted one would. */
  static from<T>(capacity: number, snap: { items: readonly T[]; seen: number; state: number }): Reservoir<T> {
    const r = new Reservoir<T>(capacity);
    r.items.push(...snap.items.slice(0, capacity));
    r.seen = snap.seen;
    r.state = snap.state >>> 0 || 1;
    return r;
  }

  add(item: T): void {
    const slot = this.offer();
    if (slot >= 0) this.put(slot, item);
  }

  /**
   * Counts one more item and returns the slot it takes (fill it with `put`), or -1 when it is
   * not kept: a caller on a hot path then need not build the item at all.
   */
  offer(): number {
    this.seen++;
    if (this.items.length < this.capacity) return this.items.length;
    const j = Math.floor(this.next() * this.seen);
    return j < this.capacity ? j : -1;
  }

  put(slot: number, item: T): void {
    this.items[slot] = item;
  }
}
