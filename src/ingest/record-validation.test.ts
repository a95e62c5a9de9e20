import { describe, expect, it } from 'vitest';
import { parseEventLine, validateAccount } from './record-validation.js';

const good = {
  id: 'e1',
  ts: '2026-11-22T10:00:00Z',
  account_id: 'acct-1',
  model: 'm-large',
  client: { ip: '203.0.113.7', asn: 64500, country: 'DE' },
  request: { messages: [{ role: 'user', content: 'Explain entropy.' }], params: { temperature: 0.7 } },
  extra_field: { kept: true },
};
const line = (patch: (e: Record<string, unknown>) => void): string => {
  const e = structuredClone(good) as Record<string, unknown>;
  patch(e);
  return JSON.stringify(e);
};

describe('parseEventLine', () => {
  it('accepts a valid event and keeps unknown fields', () => {
    const r = parseEventLine(JSON.stringify(good), 1);
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.event as Record<string, unknown>).extra_field).toEqual({ kept: true });
  });

  it.each([
    ['{"id": "e1",', 'invalid_json', /line 4 is not valid JSON/],
    ['[1,2]', 'not_an_object', /got an array/],
    [line((e) => delete e.account_id), 'missing_field', /missing required field "account_id"/],
    [line((e) => (e.client = { asn: 'AS64500' })), 'wrong_type', /"client\.asn" has the wrong type/],
    [line((e) => (e.ts = '2026-02-30T10:00:00Z')), 'bad_timestamp', /"ts" is "2026-02-30T10:00:00Z"/],
    [line((e) => (e.ts = 1732269600)), 'bad_timestamp', /"ts" is 1732269600/],
    [
      line((e) => (e.request = { messages: [{ role: 'wizard', content: 'x' }] })),
      'unknown_role',
      /"request\.messages\[0\]\.role" has unknown role "wizard"/,
    ],
    [line((e) => (e.client = { country: 'germany' })), 'invalid_value', /"client\.country"/],
    [line((e) => (e.request = { messages: [] })), 'invalid_value', /"request\.messages"/],
    [line((e) => (e.id = 'e\u0000')), 'invalid_text', /"id" holds a NUL character/],
    [
      line((e) => (e.account_id = 'a\ud800')),
      'invalid_text',
      /"account_id" holds an unpaired UTF-16 surrogate/,
    ],
    [line((e) => (e.account_id = 'a\udfffb')), 'invalid_text', /"account_id" holds an unpaired/],
    [line((e) => (e.account = { account_id: '\u0000' })), 'invalid_text', /"account\.account_id"/],
  ])('rejects %s as %s', (text, reason, message) => {
    const r = parseEventLine(text, 4);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message).toMatch(message);
    }
  });

  it('keeps a well-formed pair and free text with NUL or a lone surrogate as sent', () => {
    // Refusing free text would let whoever writes a prompt hide the exchange with one NUL.
    const text = line((e) => {
      e.id = 'e-\ud83d\ude00';
      e.request = { messages: [{ role: 'user', content: 'a\u0000b\ud800' }] };
      e.end_user_id = 'u\u0000';
    });
    const r = parseEventLine(text, 1);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.event.request.messages[0]?.content).toBe('a\u0000b\ud800');
  });

  it('refuses a line over the byte limit before parsing it', () => {
    const big = line((e) => (e.request = { messages: [{ role: 'user', content: 'é'.repeat(600) }] }));
    const r = parseEventLine(big, 1, 1000);
    expect(r.ok ? null : r.reason).toBe('line_too_long');
  });

  it('says how many other fields are wrong', () => {
    const r = parseEventLine(
      line((e) => ((e.id = 5), delete e.model)),
      1,
    );
    expect(r.ok ? null : r.message).toMatch(/and 1 more problem/);
  });
});

describe('validateAccount', () => {
  it('refuses an account id that is not storable text, keeps other fields as sent', () => {
    const r = validateAccount({ account_id: 'a\u0000' });
    expect(r.ok ? null : r.reason).toBe('invalid_text');
    expect(validateAccount({ account_id: 'a', tier: 't\u0000' }).ok).toBe(true);
  });

  it('names the bad created_at', () => {
    const r = validateAccount({ account_id: 'a', created_at: 'last week' });
    expect(r.ok ? null : [r.reason, r.message]).toEqual([
      'bad_timestamp',
      expect.stringContaining('"created_at"') as string,
    ]);
  });
});
