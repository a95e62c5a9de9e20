import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultQuarantinePath, formatValidateSummary, validateFiles } from './validate-files.js';

describe('validateFiles', () => {
  it('names the default quarantine file after the first input, in the working directory', () => {
    expect(defaultQuarantinePath('/data/traffic.ndjson.gz', '/work')).toBe('/work/traffic.quarantine.ndjson');
    expect(defaultQuarantinePath('logs/api.csv', '/w')).toBe('/w/api.quarantine.ndjson');
  });

  it('counts events, accounts and rejections from events and the accounts file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-validate-'));
    const ev = (id: string, account: string, ts: string): string =>
      JSON.stringify({
        id,
        ts,
        account_id: account,
        model: 'm',
        request: { messages: [{ role: 'user', content: 'q' }] },
      });
    await writeFile(
      join(dir, 'e.ndjson'),
      [ev('1', 'a', '2026-11-22T10:00:00Z'), ev('2', 'b', '2026-11-20T10:00:00Z'), '{"id":3}'].join('\n'),
    );
    await writeFile(join(dir, 'acc.ndjson'), `${JSON.stringify({ account_id: 'c' })}\n{"tier":1}\n`);
    const q = join(dir, 'q.ndjson');
    const r = await validateFiles([join(dir, 'e.ndjson')], {
      accounts: join(dir, 'acc.ndjson'),
      quarantine: q,
    });
    expect(r.summary).toMatchObject({
      events: 2,
      accounts: 3,
      account_records: 1,
      from: '2026-11-20T10:00:00.000Z',
      to: '2026-11-22T10:00:00.000Z',
      rejected_lines: 2,
      rejected: { missing_field: 1, wrong_type: 1 },
    });
    expect((await readFile(q, 'utf8')).trim().split('\n')).toHaveLength(2);
    const text = formatValidateSummary(r);
    expect(text).toMatch(/^events +2$/m);
    expect(text).toMatch(/^accounts +3 \(1 account records\)$/m);
    expect(text).toMatch(/^time range +2026-11-20T10:00:00.000Z \.\. 2026-11-22T10:00:00.000Z$/m);
    expect(text).toMatch(/^ +wrong_type +1$/m);
  });

  it('fails with one clear error when the quarantine file cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-validate-'));
    await writeFile(join(dir, 'e.ndjson'), '');
    await expect(
      validateFiles([join(dir, 'e.ndjson')], { quarantine: join(dir, 'no/such/dir/q.ndjson') }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('--quarantine') as string,
    });
  });
});
