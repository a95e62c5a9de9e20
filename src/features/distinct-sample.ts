/**
 * Distinct sampling (Gibbons 2001) of hex fingerprints: a key is kept when its low `level` bits
 * are zero, with its exact count, and the level rises whenever more than `capacity` keys are
 * kept. Because a key is kept from its first occurrence or never, the kept keys are a uniform
 * sample of the distinct keys *with every occurrence counted*, so the share of requests that
 * repeat an earlier one is estimated without bias in O(capacity) memory — however the repeats
 * are spread. (A heavy-hitter sketch sees only keys repeated often; a benchmark of 800 items
 * re-run against three models repeats every prompt but none often, and it saw a quarter.)
 */
export class DistinctSample {
  private readonly counts = new Map<string, number>();
  private level = 0;
  constructor(private readonly capacity: number) {}

  add(key: string): void {
    if (!selected(key, this.level)) return;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    while (this.counts.size > this.capacity) this.raise();
  }

  /** Sampled requests and the distinct keys among them. */
  get sampled(): { requests: number; distinct: number } {
    let requests = 0;
    for (const v of this.counts.values()) requests += v;
    return { requests, distinct: this.counts.size };
  }

  /** Estimated share of requests whose key was seen before (0 when nothing is sampled). */
  repeatShare(): number {
    const { requests, distinct } = this.sampled;
    return requests === 0 ? 0 : (requests - distinct) / requests;
  }

  private raise(): void {
    this.level++;
    for (const k of this.counts.keys()) if (!selected(k, this.level)) this.counts.delete(k);
  }

  snapshot(): { level: number; entries: [string, number][] } {
    return { level: this.level, entries: [...this.counts] };
  }

  static from(
    capacity: number,
    snap: { level: number; entries: readonly (readonly [string, number])[] },
  ): DistinctSample {
    const d = new DistinctSample(capacity);
    d.level = snap.level;
    for (const [k, v] of snap.entries) if (selected(k, d.level)) d.counts.set(k, v);
    while (d.counts.size > capacity) d.raise();
    return d;
  }

  /** The union of two streams' samples: counts add up, the higher level holds. */
  mergeFrom(other: DistinctSample): void {
    if (other.level > this.level) {
      this.level = other.level;
      for (const k of this.counts.keys()) if (!selected(k, this.level)) this.counts.delete(k);
    }
    for (const [k, v] of other.counts)
      if (selected(k, this.level)) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
    while (this.counts.size > this.capacity) this.raise();
  }
}

/** Whether a key's low `level` bits are zero (its last 8 hex digits, well mixed by fingerprint64). */
function selected(key: string, level: number): boolean {
  if (level === 0) return true;
  const low = parseInt(key.slice(-8), 16);
  if (Number.isNaN(low)) return false;
  return level >= 32 ? low === 0 : (low & ((1 << level) - 1)) === 0;
}
