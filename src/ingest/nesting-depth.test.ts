import { describe, expect, it } from 'vitest';
import { EventLineScanner } from './event-line-scanner.js';
import { fieldNestedTooDeep, MAX_RECORD_DEPTH, rejectTooDeep } from './nesting-depth.js';
import { parseEventLine, validateAccount } from './record-validation.js';
import { minimalEvent } from '../../test/full-event.js';

const nested = (levels: number, leaf: unknown = 1, key = 'a'): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { [key]: v };
  return v;
};

const event = minimalEvent();

describe('the record nesting bound', () => {
  it('counts the record as level 1 and accepts exactly MAX_RECORD_DEPTH levels', () => {
    expect(fieldNestedTooDeep({ x: nested(MAX_RECORD_DEPTH - 1) })).toBeNull();
    expect(fieldNestedTooDeep({ ok: 1, x: nested(MAX_RECORD_DEPTH) })).toBe('x');
    expect(fieldNestedTooDeep(nested(MAX_RECORD_DEPTH + 1))).toBe('a');
    expect(fieldNestedTooDeep([nested(MAX_RECORD_DEPTH)])).toBe('(record)');
    expect(fieldNestedTooDeep('text')).toBeNull();
    expect(rejectTooDeep({ x: nested(3) }, 3)?.reason).toBe('too_deep');
  });

  it('never overflows the stack, however deep the input (a million levels)', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
    expect(fieldNestedTooDeep({ x: deep })).toBe('x');
  });

  it('is what every line path says: validation, the fast scanner, accounts', () => {
    const at = JSON.stringify({ ...event, meta: nested(MAX_RECORD_DEPTH - 1) });
    const over = JSON.stringify({ ...event, meta: nested(MAX_RECORD_DEPTH) });
    expect(parseEventLine(at, 1).ok).toBe(true);
    expect(parseEventLine(over, 1)).toMatchObject({ ok: false, reason: 'too_deep' });
    // The scanner vouches for the line at the bound and leaves the one over it to validation.
    const scanner = new EventLineScanner();
    expect(scanner.scan(Buffer.from(at), 1 << 20)).toBe(true);
    expect(scanner.scan(Buffer.from(over), 1 << 20)).toBe(false);
    expect(validateAccount({ account_id: 'a', extra: nested(MAX_RECORD_DEPTH) })).toMatchObject({
      ok: false,
      reason: 'too_deep',
    });
    // Deep values in known fields are refused before zod, whose messages would re-serialise them.
    const deepModel = `${JSON.stringify(event).slice(0, -1)},"model":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(parseEventLine(deepModel, 1)).toMatchObject({ ok: false, reason: 'too_deep' });
  });
});
