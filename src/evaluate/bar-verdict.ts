import { BAR_ITEMS, type BarItemId, type Evaluation } from '../findings/index.js';

export interface BarVerdict {
  id: BarItemId;
  text: string;
  ci: boolean;
  passed: boolean;
  /** Run name → what it missed. */
  misses: Record<string, string[]>;
}

/** Every bar item over every run: an item holds when no run misses it. */
export function judgeBar(runs: readonly { name: string; evaluation: Evaluation }[]): BarVerdict[] {
  return BAR_ITEMS.map((item) => {
    const misses: Record<string, string[]> = {};
    for (const r of runs) {
      const m = item.misses(r.evaluation);
      if (m.length) misses[r.name] = m;
    }
    return { id: item.id, text: item.text, ci: item.ci, passed: Object.keys(misses).length === 0, misses };
  });
}

/** Whether the verdicts pass: every item (`full`) or only CI's items (`ci`). */
export const barPassed = (verdicts: readonly BarVerdict[], bar: 'full' | 'ci'): boolean =>
  verdicts.every((v) => v.passed || (bar === 'ci' && !v.ci));
