import { describe, expect, it } from 'vitest';
import { linksByKind, severity } from './ClusterTable.js';

describe('severity', () => {
  it('ranks by level first, then by score within a level', () => {
    const ranked = [
      { id: 'review-high', level: 'review' as const, score: 0.99 },
      { id: 'act-low', level: 'act' as const, score: 0.6 },
      { id: 'none', level: 'none' as const, score: 0.2 },
      { id: 'act-high', level: 'act' as const, score: 0.97 },
    ].sort((a, b) => severity(b) - severity(a));
    expect(ranked.map((c) => c.id)).toEqual(['act-high', 'act-low', 'review-high', 'none']);
  });
  it('ranks by strength within a level where scores saturate', () => {
    const ranked = [
      { id: 'act-weaker', level: 'act' as const, score: 0.952, strength: 60 },
      { id: 'review-strongest', level: 'review' as const, score: 0.952, strength: 590 },
      { id: 'act-stronger', level: 'act' as const, score: 0.952, strength: 480 },
    ].sort((a, b) => severity(b) - severity(a));
    expect(ranked.map((c) => c.id)).toEqual(['act-stronger', 'act-weaker', 'review-strongest']);
  });
});

describe('linksByKind', () => {
  it('groups shared values by kind, keeping the widest value and every value', () => {
    const groups = linksByKind([
      { kind: 'template', value: 'prefix:a', accounts: 12 },
      { kind: 'payment_fingerprint', value: 'fp_1', accounts: 14 },
      { kind: 'template', value: 'suffix:b', accounts: 30 },
    ]);
    expect(groups).toEqual([
      { kind: 'template', accounts: 30, values: ['prefix:a', 'suffix:b'] },
      { kind: 'payment_fingerprint', accounts: 14, values: ['fp_1'] },
    ]);
  });
});
