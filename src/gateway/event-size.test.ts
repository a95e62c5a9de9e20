import { describe, expect, it } from 'vitest';
import { ApiEvent } from '../contracts/index.js';
import { parseEventLine } from '../ingest/index.js';
import { fitEvent } from './event-size.js';

const LIMIT = 64 * 1024;

const event = (messages: ApiEvent['request']['messages'], answer = 'ok'): ApiEvent => ({
  id: 'gw-1',
  ts: '2026-11-23T06:00:00Z',
  account_id: 'acct-1',
  model: 'demo-1',
  request: { messages },
  response: { text: answer },
  gateway: { action: 'allow', status: 200 },
});

/** The line is valid by the server's own rules at this limit, and says it was cut. */
function checkFits(line: string): ApiEvent {
  expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LIMIT);
  const r = parseEventLine(line, 1, LIMIT);
  expect(r.ok).toBe(true);
  return ApiEvent.parse(JSON.parse(line));
}

const gw = (e: ApiEvent) => (e as unknown as { gateway: Record<string, unknown> }).gateway;

describe('fitEvent', () => {
  it('leaves an event under the limit untouched (same object, no flag)', () => {
    const e = event([{ role: 'user', content: 'hello' }]);
    const r = fitEvent(e, LIMIT);
    expect(r.event).toBe(e);
    expect(r.line).toBe(JSON.stringify(e));
  });

  it('cuts the longest texts, multi-byte and escape-heavy ones included, each with a marker', () => {
    const e = event(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'é"\n'.repeat(60_000) },
        { role: 'user', content: [{ type: 'text', text: '😀'.repeat(30_000) }, { type: 'image_url' }] },
      ],
      'answer '.repeat(5000),
    );
    const r = fitEvent(e, LIMIT);
    const back = checkFits(r.line);
    expect(gw(back)).toMatchObject({ action: 'allow', status: 200, truncated: true });
    expect(back.request.messages[0]!.content).toBe('Be brief.');
    const long = back.request.messages[1]!.content as string;
    expect(long.startsWith('é"\né"\n')).toBe(true);
    expect(long).toMatch(/…\[truncated by the DistillGuard gateway: \d+ bytes omitted\]$/);
    const parts = back.request.messages[2]!.content as { type: string; text?: string }[];
    expect(parts[0]!.text).toMatch(/^😀+ …\[truncated/u);
    expect(parts[1]).toEqual({ type: 'image_url' });
    // The original is not modified.
    expect((e.request.messages[1]!.content as string).length).toBe(180_000);
  });

  it('keeps the last message when the conversation structure alone is over the limit', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ role: 'user' as const, content: `q${i}` }));
    many.push({ role: 'user', content: 'the last question '.repeat(10_000) });
    const r = fitEvent(event(many), LIMIT);
    const back = checkFits(r.line);
    expect(back.request.messages).toHaveLength(1);
    expect(back.request.messages[0]!.content).toMatch(
      /^the last question .*\[truncated by the DistillGuard gateway/,
    );
    expect(gw(back)).toMatchObject({ truncated: true, messages_omitted: 10_000 });
  });
});
