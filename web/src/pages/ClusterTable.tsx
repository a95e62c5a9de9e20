import { levelRank, type ClusterLink, type ClusterSummary } from '../../../src/contracts/index.js';
import { humanize } from '../app/format.js';
import { countColumn, idColumn, levelColumn, scoreColumn, strengthColumn } from '../components/columns.js';
import { linkLabel } from '../components/graph-style.js';
import { SortableTable, type Column, type TableProps } from '../components/SortableTable.js';

/**
 * Most severe first: level, then evidence strength within a level (scores saturate, strength
 * ranks; it stays below 1e4), then score for findings without a strength.
 */
export function severity(c: Pick<ClusterSummary, 'level' | 'score' | 'strength'>): number {
  return levelRank(c.level) * 1e5 + (c.strength ?? 0) * 10 + c.score;
}

/** One entry per kind of shared attribute: how many values, and the most accounts any value links. */
export function linksByKind(links: ClusterLink[]): { kind: string; accounts: number; values: string[] }[] {
  const groups = new Map<string, { kind: string; accounts: number; values: string[] }>();
  for (const l of links) {
    const g = groups.get(l.kind) ?? { kind: l.kind, accounts: 0, values: [] };
    g.accounts = Math.max(g.accounts, l.accounts);
    g.values.push(l.text ?? l.value);
    groups.set(l.kind, g);
  }
  return [...groups.values()].sort((a, b) => b.accounts - a.accounts);
}

const columns: Column<ClusterSummary>[] = [
  idColumn('Cluster', (c) => c.cluster_id),
  levelColumn(severity),
  scoreColumn(),
  strengthColumn(),
  countColumn('size', 'Accounts', (c) => c.size),
  countColumn('events', 'Events', (c) => c.events),
  {
    key: 'links',
    header: 'Linked by',
    render: (c) => (
      <span className="chips">
        {linksByKind(c.links)
          .slice(0, 2)
          .map((g) => (
            <span
              key={g.kind}
              className="chip"
              title={`${g.values.length} shared value${g.values.length > 1 ? 's' : ''}, up to ${g.accounts} accounts each:\n${g.values.join('\n')}`}
            >
              {linkLabel(g.kind)} <span className="muted">×{g.accounts}</span>
            </span>
          ))}
      </span>
    ),
  },
  {
    key: 'signal',
    header: 'Strongest signal',
    render: (c) => {
      const s = [...c.signals].sort((a, b) => b.score - a.score)[0];
      return s ? (
        <span className="ellipsis signal-cell" title={s.evidence}>
          <b>{humanize(s.detector)}</b> <span className="muted">{s.evidence}</span>
        </span>
      ) : (
        <span className="muted">—</span>
      );
    },
  },
];

export function ClusterTable({
  onOpen,
  ...props
}: TableProps<ClusterSummary> & { onOpen: (c: ClusterSummary) => void }) {
  return (
    <SortableTable
      {...props}
      columns={columns}
      rowKey={(c) => c.cluster_id}
      initialSort={{ key: 'level', dir: 'desc' }}
      onRowClick={onOpen}
    />
  );
}
