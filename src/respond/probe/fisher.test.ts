import { describe, expect, it } from 'vitest';
import { fisherOneSided } from './fisher.js';

describe('fisherOneSided', () => {
  it('matches the hypergeometric tail computed by hand', () => {
    // 3 of 4 served and 1 of 4 controls came back: P(X>=3) with N=8, K=4, n=4 = (16 + 1) / 70.
    expect(fisherOneSided({ servedHit: 3, servedMiss: 1, controlHit: 1, controlMiss: 3 })).toBeCloseTo(
      17 / 70,
      12,
    );
  });

  it('matches the tail computed with exact integer binomials', () => {
    // sum over x>=8 of C(9,x)C(7,10-x) / C(16,10) = (9*21 + 1*7) / 8008 = 0.0244755...
    expect(fisherOneSided({ servedHit: 8, servedMiss: 1, controlHit: 2, controlMiss: 5 })).toBeCloseTo(
      (9 * 21 + 7) / 8008,
      12,
    );
  });

  it('is 1 when nothing came back and tiny when every served canary did and no control', () => {
    expect(fisherOneSided({ servedHit: 0, servedMiss: 16, controlHit: 0, controlMiss: 64 })).toBe(1);
    // C(80,16)^-1
    const p = fisherOneSided({ servedHit: 16, servedMiss: 0, controlHit: 0, controlMiss: 64 });
    expect(p).toBeLessThan(1e-15);
    expect(p).toBeGreaterThan(0);
  });

  it('is not significant when controls come back as often as served canaries', () => {
    expect(fisherOneSided({ servedHit: 4, servedMiss: 12, controlHit: 16, controlMiss: 48 })).toBeGreaterThan(
      0.3,
    );
  });
});
