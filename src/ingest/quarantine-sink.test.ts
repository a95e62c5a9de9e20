import { describe, expect, it } from 'vitest';
import { unstorableText } from '../contracts/index.js';
import { QUARANTINE_RAW_LIMIT, quarantineRecord } from './quarantine-sink.js';

// Quarantine records are stored as text (the scale-out quarantine table on PostgreSQL).
describe('quarantineRecord', () => {
  it('keeps a line with a NUL as base64 and escapes a NUL its message quotes', () => {
    const line = '{"kind":"event",\u0000}';
    const q = quarantineRecord('f', 1, 'invalid_json', 'Unexpected token \u0000', line);
    expect(q).toMatchObject({ raw_encoding: 'base64', message: 'Unexpected token \\u0000' });
    expect(Buffer.from(q.raw, 'base64').toString('utf8')).toBe(line);
    const bytes = quarantineRecord('f', 1, 'invalid_json', 'm', Buffer.from(line));
    expect(bytes.raw_encoding).toBe('base64');
    expect(Buffer.from(bytes.raw, 'base64').toString('utf8')).toBe(line);
  });

  it('never cuts a surrogate pair in half', () => {
    const line = `${'x'.repeat(QUARANTINE_RAW_LIMIT - 1)}\ud83d\ude00 and more`;
    const q = quarantineRecord('f', 1, 'invalid_json', 'm', line);
    expect(q.raw_encoding).toBe('utf8');
    expect(q.raw_truncated).toBe(true);
    expect(unstorableText(q.raw)).toBeUndefined();
  });
});
