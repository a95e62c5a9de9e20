import { slotText, type StringSlot } from '../ingest/index.js';

/**
 * FNV-1a over a sample of the bytes, as a small integer key: every byte of short values, and of
 * long ones (prompts, system prompts) the length, both ends and 64 bytes spread over the middle.
 * Hashing every byte of every prompt in JavaScript was the costliest step here; a collision only
 * lengthens a probe, which sameBytes resolves exactly. Values sent from outside can be made to
 * collide on purpose (vary only unsampled bytes), so probes are bounded: see MAX_PROBE.
 */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  const len = end - start;
  if (len <= 128) {
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  } else {
    h = Math.imul(h ^ (len & 0xffff), 0x01000193);
    for (let i = start; i < start + 32; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    for (let i = end - 32; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const step = (len - 64) / 64;
    for (let k = 0; k < 64; k++) h = Math.imul(h ^ b[start + 32 + Math.floor(k * step)]!, 0x01000193);
  }
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/**
 * Slots a lookup or an insert looks at, at most. A generation is at most half full, where a probe
 * of random hashes passes 32 slots with negligible odds; only a flood of values made to share one
 * hash gets this far, and each of them then costs at most this many comparisons instead of one
 * per colliding value already stored (quadratic in the flood). A value with no free slot within
 * reach is not kept: it is computed again next time, exactly as a value never seen.
 */
export const MAX_PROBE = 32;

/** Whether `arena[at..at+len)` holds the bytes `b[start..start+len)`. */
function sameBytes(arena: Uint8Array, at: number, b: Buffer, start: number, len: number): boolean {
  // Long keys natively, without a view.
  if (len > 64) return b.compare(arena, at, at + len, start, start + len) === 0;
  for (let i = 0; i < len; i++) if (arena[at + i] !== b[start + i]) return false;
  return true;
}

/**
 * One generation of a ByteMemo: an open-addressing table in typed arrays whose keys are copied
 * into one byte arena. A lookup reads the slot's hash, length and the arena's bytes, where a Map
 * of chained entries read the Map, an entry, a key object and its separate store (a cache miss
 * each: the memo's own lookups were the costliest self time of building features).
 */
class Generation<T> {
  private readonly mask: number;
  /** hash + 1 per slot; 0 = empty. */
  private readonly tags: Int32Array;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly values: (T | undefined)[];
  private arena = new Uint8Array(1 << 12);
  private used = 0;
  size = 0;

  constructor(capacity: number) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.mask = slots - 1;
    this.tags = new Int32Array(slots);
    this.starts = new Int32Array(slots);
    this.lengths = new Int32Array(slots);
    this.values = new Array<T | undefined>(slots).fill(undefined);
  }

  /** The slot holding these bytes, or -1. */
  find(h: number, b: Buffer, start: number, len: number): number {
    const tag = h + 1;
    const { tags, lengths, starts, mask } = this;
    // Every kept value sits within MAX_PROBE slots of its hash's slot (see add).
    for (let n = 0, i = h & mask; n < MAX_PROBE; n++, i = (i + 1) & mask) {
      const t = tags[i]!;
      if (t === 0) return -1;
      if (t === tag && lengths[i] === len && sameBytes(this.arena, starts[i]!, b, start, len)) return i;
    }
    return -1;
  }

  value(slot: number): T {
    return this.values[slot]!;
  }

  /**
   * Adds bytes not in this generation (at most half the slots are ever used: see ByteMemo), unless
   * no slot within MAX_PROBE of the hash's is free.
   */
  add(h: number, b: Buffer, start: number, len: number, value: T): void {
    const { tags, mask } = this;
    let i = h & mask;
    for (let n = 0; tags[i] !== 0; n++, i = (i + 1) & mask) if (n + 1 >= MAX_PROBE) return;
    if (this.used + len > this.arena.length) {
      let cap = this.arena.length * 2;
      while (cap < this.used + len) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    b.copy(this.arena, this.used, start, start + len);
    tags[i] = h + 1;
    this.starts[i] = this.used;
    this.lengths[i] = len;
    this.values[i] = value;
    this.used += len;
    this.size++;
  }
}

/**
 * A memo of a pure function of a JSON string value, keyed by the value's raw bytes, with bounded
 * memory: two generations of at most `capacity` entries (as TextCache). Two spellings of one
 * value (escaped or not) are two entries with the same value.
 */
export class ByteMemo<T> {
  private current: Generation<T>;
  private old: Generation<T>;

  constructor(
    private readonly capacity: number,
    private readonly compute: (text: string) => T,
  ) {
    this.current = new Generation(capacity);
    this.old = new Generation(0);
  }

  get(b: Buffer, s: StringSlot): T {
    const { start, end } = s;
    const len = end - start;
    const h = hashBytes(b, start, end);
    const hit = this.current.find(h, b, start, len);
    if (hit >= 0) return this.current.value(hit);
    const old = this.old.find(h, b, start, len);
    const value = old >= 0 ? this.old.value(old) : this.compute(slotText(b, s));
    if (this.current.size >= this.capacity) {
      this.old = this.current;
      this.current = new Generation(this.capacity);
    }
    this.current.add(h, b, start, len, value);
    return value;
  }
}
