import { describe, expect, it } from 'vitest';
import { CursorPart, decodeCursor, encodeCursor, Limit, pageByOffset, pageByScore } from './pagination.js';

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `a${String(i).padStart(3, '0')}`,
    score: Math.round((1 - i / n) * 10) / 10,
  }));
const key = (t: { id: string; score: number }): [number, string] => [t.score, t.id];

describe('keyset pagination by score', () => {
  it('visits every item once in order, with ties broken by id', () => {
    const list = items(53);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = pageByScore(list, key, 10, cursor);
      seen.push(...page.items.map((x) => x.id));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(seen).toEqual(list.map((x) => x.id));
  });

  it('stays consistent when an item is added before the cursor between pages', () => {
    const list = items(20);
    const p1 = pageByScore(list, key, 5, undefined);
    const grown = [{ id: 'a000x', score: 1 }, ...list];
    const p2 = pageByScore(grown, key, 5, p1.next ?? undefined);
    expect(p2.items[0]?.id).toBe(list[5]?.id);
  });

  it('refuses cursors it did not make', () => {
    expect(() => pageByScore(items(3), key, 2, 'garbage')).toThrow(/cursor/);
    expect(() => pageByScore(items(3), key, 2, encodeCursor(['x', 1]))).toThrow(/cursor/);
    expect(() => pageByOffset([1, 2, 3], 2, encodeCursor([-1]))).toThrow(/cursor/);
    expect(decodeCursor(encodeCursor([0.5, 'a']), [CursorPart.score, CursorPart.id])).toEqual([0.5, 'a']);
    // Hostile but well-formed: out of range, not finite-sized, not storable, or the wrong length.
    for (const bad of [
      [1e308, 'a'],
      [2, 'a'],
      [0.5, 'a\u0000'],
      [0.5, 'a\ud800'],
      [0.5, 'a', 1],
    ])
      expect(() => decodeCursor(encodeCursor(bad), [CursorPart.score, CursorPart.id])).toThrow(/cursor/);
    for (const bad of [[1e308], [1.5], [2 ** 63], [-1]])
      expect(() => decodeCursor(encodeCursor(bad), [CursorPart.position])).toThrow(/cursor/);
  });

  it('pages derived lists by offset', () => {
    const p1 = pageByOffset([1, 2, 3, 4, 5], 2, undefined);
    const p2 = pageByOffset([1, 2, 3, 4, 5], 2, p1.next ?? undefined);
    const p3 = pageByOffset([1, 2, 3, 4, 5], 2, p2.next ?? undefined);
    expect([p1.items, p2.items, p3.items]).toEqual([[1, 2], [3, 4], [5]]);
    expect(p3.next).toBeNull();
  });

  it('validates limits', () => {
    expect(Limit.parse(undefined)).toBe(50);
    expect(Limit.parse('7')).toBe(7);
    expect(Limit.safeParse('0').success).toBe(false);
    expect(Limit.safeParse('1001').success).toBe(false);
    expect(Limit.safeParse('2.5').success).toBe(false);
  });
});
