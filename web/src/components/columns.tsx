import { levelRank, type Level } from '../../../src/contracts/index.js';
import { formatCount } from '../app/format.js';
import { LevelBadge, ScoreBar } from './LevelBadge.js';
import type { Column } from './SortableTable.js';

/** Columns several tables share: built from how to read the value off a row. */

export function idColumn<T>(header: string, id: (row: T) => string, key = 'id'): Column<T> {
  return { key, header, render: (r) => <span className="mono strong">{id(r)}</span>, sortValue: id };
}

export function levelColumn<T extends { level: Level }>(
  sortValue: (row: T) => number = (r) => levelRank(r.level),
): Column<T> {
  return { key: 'level', header: 'Level', render: (r) => <LevelBadge level={r.level} />, sortValue };
}

export function scoreColumn<T extends { level: Level; score: number }>(): Column<T> {
  return {
    key: 'score',
    header: 'Score',
    render: (r) => <ScoreBar score={r.score} level={r.level} />,
    sortValue: (r) => r.score,
  };
}

/** Evidence strength (−log10 p): unlike the score it does not saturate, so it ranks. */
export function strengthColumn<T extends { strength?: number | undefined }>(): Column<T> {
  return {
    key: 'strength',
    header: 'Strength',
    render: (r) => <span title="evidence strength, −log₁₀ p">{(r.strength ?? 0).toFixed(1)}</span>,
    sortValue: (r) => r.strength ?? 0,
    align: 'right',
  };
}

export function countColumn<T>(key: string, header: string, count: (row: T) => number): Column<T> {
  return { key, header, render: (r) => formatCount(count(r)), sortValue: count, align: 'right' };
}
