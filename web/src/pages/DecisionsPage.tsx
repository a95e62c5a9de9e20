import { ACTIONS, type Decision } from '../api/types.js';
import { usePaged } from '../api/use-paged.js';
import { formatTime, humanize } from '../app/format.js';
import { accountHref, href, navigate } from '../app/route.js';
import { SegmentedFilter } from '../components/LevelFilter.js';
import { PagedPanel } from '../components/PagedPanel.js';
import { idColumn } from '../components/columns.js';
import { PageHeader } from '../components/PageHeader.js';
import { SortableTable, type Column } from '../components/SortableTable.js';
import { useState } from 'react';

const SEVERITY = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<string, number>;

const columns: Column<Decision>[] = [
  idColumn('Account', (d) => d.account_id, 'account'),
  {
    key: 'action',
    header: 'Action',
    render: (d) => <span className={`action action-${d.action}`}>{humanize(d.action)}</span>,
    sortValue: (d) => SEVERITY[d.action] ?? 0,
  },
  {
    key: 'source',
    header: 'Source',
    render: (d) => <span className="chip">{d.source}</span>,
    sortValue: (d) => d.source,
  },
  {
    key: 'reason',
    header: 'Reason',
    render: (d) => (
      <span className="ellipsis wide" title={d.reason}>
        {d.reason}
      </span>
    ),
  },
  {
    key: 'updated',
    header: 'Updated',
    render: (d) => formatTime(d.updated_at),
    sortValue: (d) => d.updated_at ?? '',
  },
  {
    key: 'expires',
    header: 'Expires',
    render: (d) => formatTime(d.expires_at),
    sortValue: (d) => d.expires_at ?? '~',
  },
];

export function DecisionsPage() {
  const [action, setAction] = useState<string | undefined>();
  const list = usePaged<Decision>('/v1/decisions', { action });
  return (
    <>
      <PageHeader title="Decisions">
        <SegmentedFilter
          label="Action"
          options={ACTIONS}
          value={action}
          onChange={setAction}
          optionClass={(a) => `action-${a}`}
          renderOption={humanize}
        />
      </PageHeader>
      <p className="lede">
        What the gateway and enforcement hooks apply to each account: set by policy from the finding level, by
        an analyst, or inherited from a cluster decision.{' '}
        <a href={href('/policy')}>See the active policy →</a>
      </p>
      <PagedPanel
        list={list}
        what="decisions"
        empty={<>No decisions{action ? ` with action ${humanize(action)}` : ''}.</>}
      >
        {(items) => (
          <SortableTable
            rows={items}
            columns={columns}
            rowKey={(d) => d.account_id}
            initialSort={{ key: 'updated', dir: 'desc' }}
            onRowClick={(d) => navigate(accountHref(d.account_id))}
            testId="decisions-table"
            maxHeight={680}
          />
        )}
      </PagedPanel>
    </>
  );
}
