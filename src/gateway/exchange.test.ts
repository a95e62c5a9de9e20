import { describe, expect, it } from 'vitest';
import { isoNow } from './exchange.js';

describe('isoNow', () => {
  it('formats like Date#toISOString across seconds, milliseconds and years, cached prefix or not', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    const times = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 253402300799999, 253402300800000, -1, -62198755200001,
    ];
    for (let i = 0; i < 3000; i += 7) times.push(base + i);
    // Out of order too: the cache must follow the second asked for, not the last one seen.
    for (const ms of [...times, ...[...times].reverse()]) expect(isoNow(ms)).toBe(new Date(ms).toISOString());
  });
});
