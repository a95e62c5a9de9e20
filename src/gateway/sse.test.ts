import { describe, expect, it } from 'vitest';
import { SseFramer } from './sse.js';

describe('SseFramer', () => {
  it('reassembles events split across arbitrary chunk boundaries, including inside UTF-8 characters; stray blank lines dispatch nothing', () => {
    const text = 'event: a\ndata: {"x":"héllo"}\n\ndata: line1\ndata: line2\n\r\n\r\ndata: [DONE]\n\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const f = new SseFramer();
      const got = [];
      for (let i = 0; i < bytes.length; i += size) got.push(...f.push(bytes.subarray(i, i + size)));
      got.push(...f.end());
      expect(got.map((e) => [e.event, e.data])).toEqual([
        ['a', '{"x":"héllo"}'],
        [undefined, 'line1\nline2'],
        [undefined, '[DONE]'],
      ]);
      expect(got.map((e) => e.raw).join('')).toBe(text);
    }
  });

  it('hands out a complete event as soon as its blank line arrives', () => {
    const f = new SseFramer();
    expect(f.push(Buffer.from('data: 1\n'))).toEqual([]);
    expect(f.push(Buffer.from('\ndata: 2'))).toHaveLength(1);
    expect(f.end().map((e) => e.data)).toEqual(['2']);
  });
});
