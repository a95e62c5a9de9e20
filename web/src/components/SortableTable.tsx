import { useMemo, useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** Present when the column can be sorted. */
  sortValue?: (row: T) => number | string;
  align?: 'left' | 'right';
  width?: string;
}

/** What a page chooses about a table whose columns are fixed. */
export interface TableProps<T> {
  rows: T[];
  testId?: string;
  /** Scroll inside this height (px) instead of growing the page. */
  maxHeight?: number;
}

interface Props<T> extends TableProps<T> {
  columns: Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  onRowClick?: (row: T) => void;
}

export function sortRows<T>(rows: T[], column: Column<T> | undefined, dir: 'asc' | 'desc'): T[] {
  if (!column?.sortValue) return rows;
  const value = column.sortValue;
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
    return sign * String(va).localeCompare(String(vb));
  });
}

export function SortableTable<T>({
  rows,
  columns,
  rowKey,
  initialSort,
  onRowClick,
  testId,
  maxHeight,
}: Props<T>) {
  const [sort, setSort] = useState(initialSort ?? { key: '', dir: 'desc' as const });
  const sorted = useMemo(
    () =>
      sortRows(
        rows,
        columns.find((c) => c.key === sort.key),
        sort.dir,
      ),
    [rows, columns, sort],
  );
  const toggle = (key: string) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'desc' }));
  return (
    <div className="table-wrap" style={maxHeight ? { maxHeight } : undefined}>
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                style={{ width: c.width, textAlign: c.align ?? 'left' }}
                className={c.sortValue ? 'sortable' : undefined}
                onClick={c.sortValue ? () => toggle(c.key) : undefined}
                aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.header}
                {c.sortValue && (
                  <span className="sort-mark">
                    {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
                  </span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr
              key={rowKey(row)}
              className={onRowClick ? 'clickable' : undefined}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
              tabIndex={onRowClick ? 0 : undefined}
              onKeyDown={onRowClick ? (e) => e.key === 'Enter' && onRowClick(row) : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} style={{ textAlign: c.align ?? 'left' }}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
