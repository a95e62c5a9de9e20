import { describe, expect, it } from 'vitest';
import { SseFramer, Utf8Stream } from './sse.js';

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

describe('Utf8Stream', () => {
  it('decodes like a streaming TextDecoder, whatever the chunk boundaries: split characters, a BOM, invalid bytes', () => {
    const inputs = [
      Buffer.from('\uFEFFdata: {"x":"héllo 😀 ✓ 中文"}\n\n'),
      Buffer.from('plain ascii only'),
      Buffer.from('\uFEFF\uFEFFtwo BOMs, the second kept'),
      // Invalid: a lone continuation byte, a truncated 3-byte sequence mid-text, an overlong lead,
      // and a 4-byte sequence cut at the very end.
      Buffer.concat([
        Buffer.from('a'),
        Buffer.from([0x80]),
        Buffer.from('b'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('c'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('😀').subarray(0, 3),
      ]),
    ];
    for (const bytes of inputs) {
      const expected = new TextDecoder().decode(bytes);
      for (const size of [1, 2, 3, 4, 5, bytes.length]) {
        const d = new Utf8Stream();
        let got = '';
        for (let i = 0; i < bytes.length; i += size) got += d.decode(bytes.subarray(i, i + size));
        got += d.end();
        expect(got).toBe(expected);
      }
    }
  });
});

/** The framer as it was before its fast paths (regex per event, split and join per event). */
function referenceFrames(text: string): [string | undefined, string, string][] {
  const parse = (raw: string): [string | undefined, string, string] => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of raw.split(/\r?\n/)) {
      if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    return [event, data.join('\n'), raw];
  };
  const out: [string | undefined, string, string][] = [];
  let pending = text;
  for (;;) {
    const m = /\r?\n\r?\n/.exec(pending);
    if (!m) break;
    out.push(parse(pending.slice(0, m.index + m[0].length)));
    pending = pending.slice(m.index + m[0].length);
  }
  if (pending.trim() !== '') out.push(parse(`${pending}\n\n`));
  return out;
}

describe('SseFramer fast paths', () => {
  it('frames every text as the general regex-and-split framer did, CRs, bare data: lines and events included', () => {
    // Deterministic pseudo-random texts over the pieces that decide framing.
    const pieces = [
      'data: ',
      'data:',
      'event: e',
      'id: 1',
      ': c',
      '\n',
      '\n',
      '\r',
      '\r\n',
      'x',
      ' ',
      '{"a":1}',
    ];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const len = next() % 40;
      for (let i = 0; i < len; i++) text += pieces[next() % pieces.length];
      const bytes = Buffer.from(text);
      for (const size of [1, 5, bytes.length || 1]) {
        const f = new SseFramer();
        const got = [];
        for (let i = 0; i < bytes.length; i += size) got.push(...f.push(bytes.subarray(i, i + size)));
        got.push(...f.end());
        expect(got.map((e) => [e.event, e.data, e.raw])).toEqual(referenceFrames(text));
      }
    }
  });
});
