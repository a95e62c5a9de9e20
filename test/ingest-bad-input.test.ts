import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEvents, validateFiles } from '../src/ingest/index.js';
import type { ValidateResult } from '../src/ingest/index.js';
import { QuarantineRecord } from '../src/contracts/index.js';

/**
 * One log file with every kind of bad line the issue lists, between good ones, plus a gzip file
 * cut short. Each bad line must come back with its line number and reason; the good lines stay.
 */
const event = (id: string, patch: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  ts: '2026-11-22T10:00:00Z',
  account_id: 'acct-1',
  model: 'm-large',
  request: { messages: [{ role: 'user', content: `prompt for ${id}` }] },
  ...patch,
});
const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

const invalidUtf8 = Buffer.concat([
  json(event('utf')).subarray(0, 20),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('"}'),
]);
const overOneMb = json(
  event('huge', { request: { messages: [{ role: 'user', content: 'z'.repeat(1_100_000) }] } }),
);

const LINES: [Buffer, string | null][] = [
  [json(event('good-1')), null],
  [Buffer.from('{"id": "broken", "ts": '), 'invalid_json'],
  [json(event('nomodel', { model: undefined })), 'missing_field'],
  [json(event('types', { account_id: 42 })), 'wrong_type'],
  [Buffer.from(''), null],
  [overOneMb, 'line_too_long'],
  [invalidUtf8, 'invalid_utf8'],
  [json(event('good-2', { ts: '2026-11-22T12:30:00+02:00' })), null],
  [json(event('good-1')), 'duplicate_id'],
  [json(event('badts', { ts: '2026-11-31T10:00:00Z' })), 'bad_timestamp'],
  [json(event('role', { request: { messages: [{ role: 'narrator', content: 'x' }] } })), 'unknown_role'],
  [Buffer.from('   \t'), null],
  [json(event('good-3', { ts: '2026-11-22T09:00:00Z' })), null],
];

let dir: string;
let logPath: string;
let gzPath: string;
let result: ValidateResult;
let quarantine: QuarantineRecord[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-bad-input-'));
  logPath = join(dir, 'traffic.ndjson');
  await writeFile(logPath, Buffer.concat(LINES.flatMap(([b]) => [b, Buffer.from('\n')])));
  const many = Array.from({ length: 2000 }, (_, i) => JSON.stringify(event(`gz-${i}`))).join('\n');
  const gz = gzipSync(many);
  gzPath = join(dir, 'more.ndjson.gz');
  await writeFile(gzPath, gz.subarray(0, gz.length - 200));
  const qPath = join(dir, 'rejected.ndjson');
  result = await validateFiles([logPath, gzPath], { quarantine: qPath });
  const text = await readFile(qPath, 'utf8');
  quarantine = text
    .trim()
    .split('\n')
    .map((l) => QuarantineRecord.parse(JSON.parse(l)));
});

describe('bad input', () => {
  it('reports each bad line with its line number and reason, in order', () => {
    const expected = LINES.flatMap(([, reason], i) =>
      reason ? [{ file: logPath, line: i + 1, reason }] : [],
    );
    expect(
      quarantine.filter((q) => q.file === logPath).map(({ file, line, reason }) => ({ file, line, reason })),
    ).toEqual(expected);
    for (const q of quarantine) expect(q.message.length).toBeGreaterThan(10);
  });

  it('names the field or the problem in each message', () => {
    const byReason = new Map(quarantine.map((q) => [q.reason, q.message]));
    expect(byReason.get('missing_field')).toContain('"model"');
    expect(byReason.get('wrong_type')).toContain('"account_id"');
    expect(byReason.get('bad_timestamp')).toContain('2026-11-31');
    expect(byReason.get('unknown_role')).toContain('"narrator"');
    expect(byReason.get('duplicate_id')).toContain('good-1');
    expect(byReason.get('line_too_long')).toMatch(/\d+ bytes, over the 1048576-byte limit/);
    expect(byReason.get('invalid_utf8')).toContain('0xc3');
  });

  it('keeps raw lines bounded, and byte-exact as base64 when they are not UTF-8', () => {
    const long = quarantine.find((q) => q.reason === 'line_too_long')!;
    expect(long.raw_bytes).toBe(overOneMb.length);
    expect(long.raw_truncated).toBe(true);
    expect(long.raw.length).toBeLessThan(5000);
    const utf = quarantine.find((q) => q.reason === 'invalid_utf8')!;
    expect(utf.raw_encoding).toBe('base64');
    expect(Buffer.from(utf.raw, 'base64').equals(invalidUtf8)).toBe(true);
  });

  it('keeps the good lines and counts empty ones', async () => {
    const ids: string[] = [];
    for await (const e of readEvents([logPath])) ids.push(e.id);
    expect(ids).toEqual(['good-1', 'good-2', 'good-3']);
    const s = result.summary;
    expect(s.files[0]).toMatchObject({ lines: LINES.length, events: 3, empty_lines: 2, rejected: 8 });
    expect(s.empty_lines).toBe(2);
    expect(s.duplicates).toBe(1);
    expect(s.from).toBe('2026-11-22T09:00:00.000Z');
    expect(s.to).toBe('2026-11-22T10:30:00.000Z');
  });

  it('reports a truncated gzip with the last line reached, keeping the lines before it', () => {
    const gzFile = result.summary.files[1]!;
    const cut = quarantine.filter((q) => q.file === gzPath);
    expect(cut).toHaveLength(1);
    expect(cut[0]!.reason).toBe('truncated_gzip');
    expect(gzFile.complete).toBe(false);
    expect(gzFile.events).toBeGreaterThan(1000);
    expect(cut[0]!.line).toBe(gzFile.lines + 1);
    expect(cut[0]!.message).toContain(`${gzFile.events} records before it were kept`);
  });

  it('counts every rejected line by reason in the summary', () => {
    const s = result.summary;
    expect(s.rejected_lines).toBe(quarantine.length);
    expect(result.quarantine.lines).toBe(quarantine.length);
    expect(Object.keys(s.rejected).sort()).toEqual(
      [
        'bad_timestamp',
        'duplicate_id',
        'invalid_json',
        'invalid_utf8',
        'line_too_long',
        'missing_field',
        'truncated_gzip',
        'unknown_role',
        'wrong_type',
      ].sort(),
    );
  });
});
