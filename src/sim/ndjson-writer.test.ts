import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { NdjsonWriter } from './ndjson-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'ndjson-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('NdjsonWriter', () => {
  it('writes one JSON line per record, plain or gzipped, across many chunks', async () => {
    for (const gzip of [false, true]) {
      const path = join(dir, gzip ? 'a.ndjson.gz' : 'a.ndjson');
      const w = new NdjsonWriter(path, gzip);
      for (let i = 0; i < 20_000; i++) await w.write({ i, pad: 'x'.repeat(i % 50) });
      await w.close();
      const raw = gzip ? gunzipSync(readFileSync(path)) : readFileSync(path);
      const lines = raw.toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(20_000);
      expect(JSON.parse(lines[12_345] as string)).toEqual({ i: 12_345, pad: 'x'.repeat(12_345 % 50) });
      expect(w.lines).toBe(20_000);
    }
  });

  it('fails with a user error when the file cannot be written', async () => {
    const w = new NdjsonWriter(join(dir, 'missing-dir', 'x.ndjson'));
    await expect(
      (async () => {
        for (let i = 0; i < 50_000; i++) await w.write({ i, pad: 'y'.repeat(40) });
        await w.close();
      })(),
    ).rejects.toThrow(/cannot write .*ENOENT/);
  });
});
