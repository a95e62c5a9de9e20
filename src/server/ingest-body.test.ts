import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeBody,
  dedupeById,
  parseAccountBatch,
  parseEventBatch,
  rejectedRecords,
} from './ingest-body.js';

const event = (id: string) => ({
  id,
  ts: '2026-01-01T00:00:00Z',
  account_id: 'a',
  model: 'm',
  request: { messages: [{ role: 'user', content: 'hi' }] },
});

describe('ingest bodies', () => {
  it('reads NDJSON with CRLF and blank lines, numbering lines as sent', async () => {
    const body = Buffer.from(
      `${JSON.stringify(event('1'))}\r\n\r\n{"bad"\r\n${JSON.stringify(event('2'))}\r\n`,
    );
    const b = await parseEventBatch(body);
    expect(b.items.map((e) => e.id)).toEqual(['1', '2']);
    expect(b.raw).toEqual([JSON.stringify(event('1')), JSON.stringify(event('2'))]);
    expect(b.errors).toEqual([expect.objectContaining({ line: 3, reason: 'invalid_json' })]);
    expect(b.lines).toBe(3);
  });

  it('reads JSON arrays item by item', async () => {
    const b = await parseEventBatch(Buffer.from(JSON.stringify([event('1'), { id: 'x' }, 5])));
    expect(b.items).toHaveLength(1);
    expect(b.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'missing_field'],
      [3, 'not_an_object'],
    ]);
  });

  it('refuses empty, non-UTF-8 and broken-array bodies as a whole', async () => {
    await expect(parseEventBatch(Buffer.from('  \n'))).rejects.toThrow(/empty/);
    await expect(parseEventBatch(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).rejects.toThrow(/UTF-8/);
    await expect(parseEventBatch(Buffer.from('[{"id":'))).rejects.toThrow(/JSON array/);
  });

  it('lets other requests run while it parses a large batch', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify(event(`p${i}`))).join('\n');
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    const b = await parseEventBatch(Buffer.from(lines));
    expect(ranMeanwhile).toBe(true);
    expect(b.items).toHaveLength(2000);
  });

  it('keeps the first of repeated ids and its source text', async () => {
    const b = await parseEventBatch(
      Buffer.from(
        [event('1'), event('2'), { ...event('1'), model: 'other' }].map((e) => JSON.stringify(e)).join('\n'),
      ),
    );
    const d = dedupeById(b);
    expect(d.unique.map((e) => e.model)).toEqual(['m', 'm']);
    expect(d.duplicates).toBe(1);
    expect(d.raw).toHaveLength(2);
  });

  it('gunzips, and refuses bombs, bad gzip and other encodings', async () => {
    const text = 'x'.repeat(1000);
    expect((await decodeBody(gzipSync(text), 'gzip', 10_000)).toString()).toBe(text);
    expect(await decodeBody(Buffer.from(text), undefined, 10)).toHaveLength(1000);
    await expect(decodeBody(gzipSync(Buffer.alloc(100_000)), 'gzip', 10_000)).rejects.toMatchObject({
      statusCode: 413,
    });
    await expect(decodeBody(Buffer.from(text), 'gzip', 10_000)).rejects.toThrow(/not valid gzip/);
    await expect(decodeBody(Buffer.from(text), 'br', 10_000)).rejects.toThrow(/not supported/);
  });

  it('validates account records', async () => {
    const b = await parseAccountBatch(Buffer.from('{"account_id":"a","tier":"pro"}\n{"tier":"x"}'));
    expect(b.items).toEqual([{ account_id: 'a', tier: 'pro' }]);
    expect(b.errors[0]?.line).toBe(2);
  });

  it('turns rejected lines into quarantine records named by route and body', async () => {
    const body = Buffer.from(`${JSON.stringify(event('1'))}\n{"bad"\n[3]`);
    const b = await parseEventBatch(body);
    const records = rejectedRecords('POST /v1/events', body, b);
    expect(records.map((r) => [r.line, r.reason, r.raw])).toEqual([
      [2, 'invalid_json', '{"bad"'],
      [3, 'not_an_object', '[3]'],
    ]);
    expect(records[0]!.file).toMatch(/^POST \/v1\/events body [0-9a-f]{16}$/);
    // The same body again (a retry) names the same lines; another body other ones.
    expect(rejectedRecords('POST /v1/events', body, b)).toEqual(records);
    const other = Buffer.from(`{"bad"\n${JSON.stringify(event('2'))}`);
    expect(rejectedRecords('POST /v1/events', other, await parseEventBatch(other))[0]!.file).not.toBe(
      records[0]!.file,
    );
    // JSON-array items are kept as their JSON text.
    const arr = Buffer.from(JSON.stringify([event('1'), { id: 'x' }]));
    expect(rejectedRecords('POST /v1/events', arr, await parseEventBatch(arr))[0]).toMatchObject({
      line: 2,
      reason: 'missing_field',
      raw: '{"id":"x"}',
    });
    expect(rejectedRecords('POST /v1/events', body, { errors: [], rejectedText: [] })).toEqual([]);
  });
});
