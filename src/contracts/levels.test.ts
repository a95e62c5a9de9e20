import { describe, expect, it } from 'vitest';
import { Level } from './findings.js';
import { countLevels, LEVELS, levelRank, THRESHOLD_LEVELS } from './levels.js';

describe('level order', () => {
  it('is the order of the Level schema, weakest first', () => {
    expect(Level.options).toEqual([...LEVELS]);
    expect(
      ['act', 'none', 'review', 'monitor'].sort((a, b) => levelRank(a as Level) - levelRank(b as Level)),
    ).toEqual(['none', 'monitor', 'review', 'act']);
    expect(THRESHOLD_LEVELS).toEqual(['monitor', 'review', 'act']);
  });

  it('counts every level, zero where nothing sits', () => {
    expect(countLevels([{ level: 'act' }, { level: 'act' }, { level: 'monitor' }])).toEqual({
      none: 0,
      monitor: 1,
      review: 0,
      act: 2,
    });
    expect(countLevels([])).toEqual({ none: 0, monitor: 0, review: 0, act: 0 });
  });
});
