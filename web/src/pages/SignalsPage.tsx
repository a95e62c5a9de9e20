import { useMemo } from 'react';
import { api, itemsOf } from '../api/client.js';
import type { Page, SignalItem } from '../../../src/contracts/index.js';
import { useApi } from '../api/use-api.js';
import { usePaged } from '../api/use-paged.js';
import { formatCount, formatScore, humanize } from '../app/format.js';
import { accountHref, clusterHref, href, navigate } from '../app/route.js';
import { PagedPanel } from '../components/PagedPanel.js';
import { PageHeader } from '../components/PageHeader.js';
import { SortableTable, type Column } from '../components/SortableTable.js';

const subjectHref = (s: SignalItem) =>
  (s.subject_type === 'cluster' ? clusterHref : accountHref)(s.subject_id);

const columns: Column<SignalItem>[] = [
  {
    key: 'subject',
    header: 'Fired on',
    render: (s) => (
      <span>
        <span className="chip">{s.subject_type}</span> <span className="mono strong">{s.subject_id}</span>
      </span>
    ),
    sortValue: (s) => `${s.subject_type}:${s.subject_id}`,
  },
  { key: 'detector', header: 'Detector', render: (s) => humanize(s.detector), sortValue: (s) => s.detector },
  {
    key: 'score',
    header: 'Score',
    render: (s) => formatScore(s.score),
    sortValue: (s) => s.score,
    align: 'right',
  },
  {
    key: 'evidence',
    header: 'Evidence',
    render: (s) => <span className="evidence-cell">{s.evidence}</span>,
  },
  {
    key: 'atlas',
    header: 'ATLAS',
    render: (s) => (s.atlas ? <span className="atlas">{s.atlas}</span> : '—'),
  },
];

/** Every signal with its evidence, strongest first, filterable by detector. */
export function SignalsPage({ detector }: { detector?: string }) {
  const list = usePaged<SignalItem>('/v1/signals', { detector });
  // One wide read to learn which detectors fired and how often, for the filter chips.
  const census = useApi(() => api.get<Page<SignalItem>>('/v1/signals', { limit: 1000 }), []);
  const detectors = useMemo(() => {
    const count = new Map<string, number>();
    for (const s of itemsOf(census.data)) count.set(s.detector, (count.get(s.detector) ?? 0) + 1);
    return [...count.entries()].sort((a, b) => b[1] - a[1]);
  }, [census.data]);
  return (
    <>
      <PageHeader title="Signals" />
      <p className="lede">
        What each detector saw, in words you can check against the raw events. Open a row for the account or
        cluster, its sample prompts and example event ids.
      </p>
      <div className="chips filter-chips">
        <a className={`chip ${!detector ? 'on' : ''}`} href={href('/signals')}>
          all
        </a>
        {detectors.map(([d, n]) => (
          <a
            key={d}
            className={`chip ${detector === d ? 'on' : ''}`}
            href={href('/signals', { detector: d })}
          >
            {humanize(d)} <span className="muted">{formatCount(n)}</span>
          </a>
        ))}
        {census.data?.next && <span className="muted small">counts from the strongest 1,000</span>}
      </div>
      <PagedPanel
        list={list}
        what="signals"
        empty={<>No signals{detector ? ` from ${humanize(detector)}` : ''}.</>}
      >
        {(items) => (
          <SortableTable
            rows={items}
            columns={columns}
            rowKey={(s) => `${s.subject_type}:${s.subject_id}:${s.detector}`}
            initialSort={{ key: 'score', dir: 'desc' }}
            onRowClick={(s) => navigate(subjectHref(s))}
            testId="signals-table"
            maxHeight={720}
          />
        )}
      </PagedPanel>
    </>
  );
}
