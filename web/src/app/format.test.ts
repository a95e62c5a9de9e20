import { describe, expect, it } from 'vitest';
import { formatCount, formatShare, formatShortTime, formatTime, humanize } from './format.js';

describe('format', () => {
  it('prints counts whole, as the HTML report does, however large', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(1_250_000)).toBe('1,250,000');
    expect(formatCount(undefined)).toBe('—');
  });

  it('prints shares without claiming zero for a tiny non-zero part', () => {
    expect(formatShare(1, 5000)).toBe('<0.1%');
    expect(formatShare(59, 615)).toBe('9.6%');
    expect(formatShare(3, 0)).toBe('0%');
  });

  it('prints times in UTC to the minute and names detectors in words', () => {
    expect(formatTime('2026-11-22T10:05:33Z')).toBe('2026-11-22 10:05 UTC');
    expect(formatTime(null)).toBe('—');
    expect(formatShortTime('2026-11-22T10:05:33Z')).toBe('11-22 10:05');
    expect(humanize('reasoning-elicitation')).toBe('Reasoning elicitation');
  });
});
