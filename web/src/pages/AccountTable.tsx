import type { AccountFinding } from '../../../src/contracts/index.js';
import { formatScore, humanize } from '../app/format.js';
import { accountHref, clusterHref, navigate } from '../app/route.js';
import { countColumn, idColumn, levelColumn, scoreColumn, strengthColumn } from '../components/columns.js';
import { SortableTable, type Column, type TableProps } from '../components/SortableTable.js';

const columns: Column<AccountFinding>[] = [
  idColumn('Account', (a) => a.account_id),
  levelColumn(),
  scoreColumn(),
  strengthColumn(),
  countColumn('events', 'Events', (a) => a.events),
  {
    key: 'cluster',
    header: 'Cluster',
    render: (a) =>
      a.cluster_id ? (
        <a className="mono" href={clusterHref(a.cluster_id)} onClick={(e) => e.stopPropagation()}>
          {a.cluster_id}
        </a>
      ) : (
        <span className="muted">—</span>
      ),
    sortValue: (a) => a.cluster_id ?? '',
  },
  {
    key: 'signals',
    header: 'Signals',
    render: (a) => (
      <span className="chips">
        {[...a.signals]
          .sort((x, y) => y.score - x.score)
          .slice(0, 3)
          .map((s) => (
            <span key={s.detector} className="chip" title={s.evidence}>
              {humanize(s.detector)} <span className="muted">{formatScore(s.score)}</span>
            </span>
          ))}
      </span>
    ),
    sortValue: (a) => a.signals.length,
  },
];

export function AccountTable(props: TableProps<AccountFinding>) {
  return (
    <SortableTable
      {...props}
      columns={columns}
      rowKey={(a) => a.account_id}
      initialSort={{ key: 'strength', dir: 'desc' }}
      onRowClick={(a) => navigate(accountHref(a.account_id))}
    />
  );
}
