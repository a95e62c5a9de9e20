import { describe, expect, it } from 'vitest';
import { LineSplitter, TOO_LONG_PREVIEW_BYTES } from './line-splitter.js';

interface Got {
  n: number;
  text: string;
  tooLong: number;
}

function split(input: Buffer, chunkSizes: number[], max = 64): Got[] {
  const s = new LineSplitter(max);
  const out: Got[] = [];
  const on = (n: number, b: Buffer, tooLong: number): void => {
    out.push({ n, text: b.toString('latin1'), tooLong });
  };
  let pos = 0;
  let i = 0;
  while (pos < input.length) {
    const size = chunkSizes[i++ % chunkSizes.length]!;
    s.push(input.subarray(pos, pos + size), on);
    pos += size;
  }
  s.end(on);
  return out;
}

describe('LineSplitter', () => {
  const text = 'alpha\nbeta\r\n\ngamma delta\nlast';

  it('gives the same lines with their numbers whatever the chunk boundaries', () => {
    const expected = [
      { n: 1, text: 'alpha', tooLong: 0 },
      { n: 2, text: 'beta', tooLong: 0 },
      { n: 3, text: '', tooLong: 0 },
      { n: 4, text: 'gamma delta', tooLong: 0 },
      { n: 5, text: 'last', tooLong: 0 },
    ];
    for (const sizes of [[1], [2, 3], [7], [1000], [5, 1, 9]]) {
      expect(split(Buffer.from(text), sizes)).toEqual(expected);
    }
  });

  it('does not invent a line after a final newline', () => {
    expect(split(Buffer.from('a\nb\n'), [3]).map((l) => l.text)).toEqual(['a', 'b']);
  });

  it('skips an over-long line without buffering it, keeping a head and the true length', () => {
    const long = 'x'.repeat(5000);
    const input = Buffer.from(`ok1\n${long}\nok2\n`);
    for (const sizes of [[7], [100], [10_000]]) {
      const got = split(input, sizes, 100);
      expect(got.map((l) => [l.n, l.tooLong])).toEqual([
        [1, 0],
        [2, 5000],
        [3, 0],
      ]);
      expect(got[1]!.text.length).toBeLessThanOrEqual(TOO_LONG_PREVIEW_BYTES);
      expect(got[1]!.text.startsWith('xxx')).toBe(true);
      expect(got[2]!.text).toBe('ok2');
    }
  });

  it('reports a partial last line for truncated streams', () => {
    const s = new LineSplitter(100);
    const lines: number[] = [];
    s.push(Buffer.from('one\ntwo\nthr'), (n) => lines.push(n));
    expect(lines).toEqual([1, 2]);
    expect(s.lineNo).toBe(2);
    expect(s.partial()?.bytes.toString()).toBe('thr');
  });

  it('does not keep a view of a chunk the source may reuse', () => {
    const s = new LineSplitter(100);
    const chunk = Buffer.from('abc');
    s.push(chunk, () => undefined);
    chunk.fill(0x7a);
    const got: string[] = [];
    s.push(Buffer.from('d\n'), (_n, b) => got.push(b.toString()));
    expect(got).toEqual(['abcd']);
  });
});
