import { describe, expect, it } from 'vitest';
import { TOPIC_NAMES } from '../text/index.js';
import { EntityStats } from './entity-stats.js';
import { extractFeatures, type EventFeatures } from './event-features.js';

// The per-event shortcuts in EntityStats.add (perf round of issue 18): topic indexes kept per
// mask, and the last "/24 AS" key kept per account. Both must count exactly what building them
// afresh counts, also when the kept values are evicted or keep changing.
const base: EventFeatures = extractFeatures({
  id: 'ev_0',
  ts: '2026-10-01T00:00:00Z',
  account_id: 'acct_1',
  model: 'm',
  request: { messages: [{ role: 'user', content: 'hello there' }] },
});

describe('EntityStats keys kept between events', () => {
  it('topic weights equal the definition over more distinct masks than are kept (4,096)', () => {
    const masks: bigint[] = [];
    const D = TOPIC_NAMES.length;
    for (let a = 0; a < D && masks.length < 6000; a++)
      for (let b = a + 1; b < D && masks.length < 6000; b++)
        for (let c = b + 1; c < D && masks.length < 6000; c++)
          masks.push((1n << BigInt(a)) | (1n << BigInt(b)) | (1n << BigInt(c)));
    for (let a = 0; a < D; a++) masks.push(1n << BigInt(a));
    const stats = new EntityStats(4);
    const expected = new Float64Array(D);
    // Twice over: the second pass reads masks kept since the memo was last cleared.
    for (const mask of [...masks, ...masks]) {
      stats.add({ ...base, topics: mask });
      const bits: number[] = [];
      for (let i = 0; i < D; i++) if ((mask >> BigInt(i)) & 1n) bits.push(i);
      for (const i of bits) expected[i]! += 1 / bits.length;
    }
    expect([...stats.topicWeight]).toEqual([...expected]);
    expect(stats.topicEvents).toBe(2 * masks.length);
  });

  it('"/24 AS" pairs are counted by prefix and network however they alternate', () => {
    const pairs: [string | null, number | null][] = [
      ['10.0.0', 64500],
      ['10.0.0', 64501],
      ['10.0.1', 64500],
      [null, 64500],
      ['10.0.0', null],
      ['10.0.0', 64500],
    ];
    const stats = new EntityStats(4);
    const expected = new Map<string, number>();
    for (let k = 0; k < 60; k++) {
      const [ipPrefix, asn] = pairs[(k * 7) % pairs.length]!;
      stats.add({ ...base, ipPrefix, asn });
      if (ipPrefix !== null && asn !== null) {
        const key = `${ipPrefix} ${asn}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    expect(new Map(stats.prefixAsns.entries())).toEqual(expected);
  });
});
