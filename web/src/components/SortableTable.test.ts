import { describe, expect, it } from 'vitest';
import { sortRows, type Column } from './SortableTable.js';

interface Row {
  id: string;
  score: number;
}
const rows: Row[] = [
  { id: 'b', score: 0.2 },
  { id: 'a', score: 0.9 },
  { id: 'c', score: 0.5 },
];
const byScore: Column<Row> = {
  key: 'score',
  header: 'Score',
  render: (r) => r.score,
  sortValue: (r) => r.score,
};
const byId: Column<Row> = { key: 'id', header: 'Id', render: (r) => r.id, sortValue: (r) => r.id };

describe('sortRows', () => {
  it('sorts numbers and strings in both directions without touching the input', () => {
    expect(sortRows(rows, byScore, 'desc').map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(sortRows(rows, byScore, 'asc').map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(sortRows(rows, byId, 'asc').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(rows.map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  it('keeps the server order for columns that cannot sort', () => {
    expect(sortRows(rows, { key: 'x', header: 'X', render: () => null }, 'asc')).toBe(rows);
  });
});
