import { afterEach, describe, expect, it, vi } from 'vitest';
import { ByteMemo, hashBytes, MAX_PROBE } from './byte-memo.js';

/**
 * The memo hashes a sample of a long value's bytes, so anyone who sends prompts can make many
 * distinct values share one hash. Such a flood must cost a bounded number of key comparisons
 * per lookup (it cost one per colliding value already stored: quadratic in the flood) and must
 * never change an answer.
 */
function collidingValues(n: number, length = 300): Buffer[] {
  const base = Buffer.alloc(length, 'x');
  const h = hashBytes(base, 0, length);
  const blind: number[] = [];
  for (let p = 0; p < length; p++) {
    const b = Buffer.from(base);
    b[p] = 'y'.charCodeAt(0);
    if (hashBytes(b, 0, length) === h) blind.push(p);
  }
  const out: Buffer[] = [];
  for (let i = 0; i < blind.length && out.length < n; i++)
    for (let j = i + 1; j < blind.length && out.length < n; j++)
      for (const c of 'abcdefgh') {
        if (out.length >= n) break;
        const b = Buffer.from(base);
        b[blind[i]!] = c.charCodeAt(0);
        b[blind[j]!] = 'z'.charCodeAt(0);
        out.push(b);
      }
  return out;
}

const slot = (b: Buffer) => ({ start: 0, end: b.length, plain: true });

describe('ByteMemo under colliding values', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the flood really collides (the premise of the test)', () => {
    const values = collidingValues(2000);
    expect(values).toHaveLength(2000);
    const hashes = new Set(values.map((b) => hashBytes(b, 0, b.length)));
    expect(hashes.size).toBe(1);
    expect(new Set(values.map((b) => b.toString('latin1'))).size).toBe(2000);
  });

  it('bounds the comparisons per lookup and still answers every value exactly', () => {
    const values = collidingValues(2000);
    let computed = 0;
    const memo = new ByteMemo<string>(1 << 15, (text) => {
      computed++;
      return `v:${text}`;
    });
    const compare = vi.spyOn(Buffer.prototype, 'compare');
    for (const b of values) expect(memo.get(b, slot(b))).toBe(`v:${b.toString('latin1')}`);
    for (const b of values) expect(memo.get(b, slot(b))).toBe(`v:${b.toString('latin1')}`);
    // Two passes of 2,000 lookups: at most MAX_PROBE comparisons each (quadratic before: ~4 million).
    expect(compare.mock.calls.length).toBeLessThanOrEqual(2 * values.length * MAX_PROBE);
    // Values that found room are answered from the memo the second time; the rest are recomputed.
    expect(computed).toBeGreaterThan(values.length);
    expect(computed).toBeLessThanOrEqual(2 * values.length - MAX_PROBE);
  });

  it('ordinary distinct values are all kept and found again', () => {
    let computed = 0;
    const memo = new ByteMemo<number>(4096, (text) => {
      computed++;
      return text.length;
    });
    const values = Array.from({ length: 4000 }, (_, i) =>
      Buffer.from(`prompt number ${i} `.repeat(1 + (i % 20))),
    );
    for (const b of values) memo.get(b, slot(b));
    for (const b of values) expect(memo.get(b, slot(b))).toBe(b.length);
    expect(computed).toBe(values.length);
  });
});
