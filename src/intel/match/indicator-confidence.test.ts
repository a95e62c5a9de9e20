import { describe, expect, it } from 'vitest';
import { effectiveConfidence } from './indicator-confidence.js';

const ind = {
  type: 'indicator',
  id: 'indicator--00000000-0000-4000-8000-000000000001',
  modified: '2026-11-01T00:00:00.000Z',
  valid_from: '2026-11-01T00:00:00.000Z',
  valid_until: '2026-12-31T00:00:00.000Z',
  confidence: 80,
};

describe('received indicator confidence', () => {
  it('decays with age: halves every 30 days', () => {
    expect(effectiveConfidence(ind, new Date('2026-11-01T00:00:00Z'))).toBe(80);
    expect(effectiveConfidence(ind, new Date('2026-12-01T00:00:00Z'))).toBe(40);
  });

  it('rises with sightings, never above 100', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    const once = effectiveConfidence(ind, at, 1);
    const thrice = effectiveConfidence(ind, at, 3);
    expect(once).toBeGreaterThan(40);
    expect(thrice).toBeGreaterThan(once);
    expect(effectiveConfidence(ind, at, 1000)).toBe(100);
  });

  it('is zero before valid_from and from valid_until on', () => {
    expect(effectiveConfidence(ind, new Date('2026-10-31T00:00:00Z'))).toBe(0);
    expect(effectiveConfidence(ind, new Date('2026-12-31T00:00:00Z'), 10)).toBe(0);
  });
});
