import { describe, expect, it } from 'vitest';
import { IdHashSet } from './id-hash-set.js';

describe('IdHashSet', () => {
  it('admits each distinct id once across table growth', () => {
    const set = new IdHashSet(1024);
    const n = 300_000;
    let admitted = 0;
    for (let i = 0; i < n; i++) if (set.add(`evt-${i}`)) admitted++;
    expect(admitted).toBe(n);
    expect(set.size).toBe(n);
    let again = 0;
    for (let i = 0; i < n; i += 7) if (!set.add(`evt-${i}`)) again++;
    expect(again).toBe(Math.ceil(n / 7));
    expect(set.size).toBe(n);
  });

  it('tells apart ids that differ only in order or length', () => {
    const set = new IdHashSet();
    for (const id of ['ab', 'ba', 'a', 'aa', '', 'é', 'e\u0301', 'evt-01', 'evt-10']) {
      expect(set.add(id)).toBe(true);
    }
    expect(set.add('ba')).toBe(false);
  });

  it('hashes an ASCII id from its bytes as from its string', () => {
    const set = new IdHashSet();
    const line = Buffer.from('{"id":"evt-42","x":"evt-7"}');
    expect(set.add('evt-42')).toBe(true);
    expect(set.hasAscii(line, 7, 13)).toBe(true);
    expect(set.addAscii(line, 7, 13)).toBe(false);
    expect(set.addAscii(line, 20, 25)).toBe(true);
    expect(set.has('evt-7')).toBe(true);
    expect(set.hasAscii(line, 20, 24)).toBe(false);
  });
});
