import { lazy, Suspense, useMemo } from 'react';
import { api } from '../../api/client.js';
import type { ClusterDetail, GraphNode } from '../../../../src/contracts/index.js';
import { useApi } from '../../api/use-api.js';
import { formatScore, humanize } from '../../app/format.js';
import { accountHref, href, navigate } from '../../app/route.js';
import { countColumn, idColumn, levelColumn, scoreColumn } from '../../components/columns.js';
import { anchorAccount } from '../../components/decision/anchor-account.js';
import { DecisionPanel } from '../../components/decision/DecisionPanel.js';
import { EvidenceList } from '../../components/EvidenceList.js';
import { OpenCaseButton } from '../../components/OpenCaseButton.js';
import { SubjectHeader } from '../../components/PageHeader.js';
import { SortableTable, type Column } from '../../components/SortableTable.js';
import { LevelBasisPanel } from '../../components/LevelBasisPanel.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { TimelineChart } from '../../components/TimelineChart.js';
import { ClusterStats } from './ClusterStats.js';
import { SharedLinksPanel } from './SharedLinksPanel.js';

// sigma and the layout are most of the bundle; load them with the first cluster page only.
const LinkageGraph = lazy(() =>
  import('../../components/LinkageGraph.js').then((m) => ({ default: m.LinkageGraph })),
);

const memberColumns: Column<GraphNode>[] = [
  idColumn('Account', (n) => n.id),
  levelColumn(),
  scoreColumn(),
  countColumn('events', 'Events', (n) => n.events),
];

export function ClusterPage({ id }: { id: string }) {
  const detail = useApi(() => api.get<ClusterDetail>(`/v1/clusters/${encodeURIComponent(id)}`), [id]);
  const members = useMemo(() => detail.data?.graph.nodes ?? [], [detail.data]);
  if (detail.loading && !detail.data) return <Loading what={`cluster ${id}`} />;
  if (detail.error) return <ErrorBox error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return null;
  const { cluster, graph, timeline } = detail.data;
  const size = cluster.account_ids.length || graph.nodes.length;
  const topSignal = [...cluster.signals].sort((a, b) => b.score - a.score)[0];
  const anchor = anchorAccount(detail.data);
  const links = [...cluster.links].sort((a, b) => b.accounts - a.accounts);

  return (
    <>
      <SubjectHeader
        id={cluster.cluster_id}
        level={cluster.level}
        crumb={{ label: 'Clusters', href: href('/clusters') }}
      >
        <a className="btn" href={href('/accounts', { cluster: cluster.cluster_id })}>
          Accounts
        </a>
        <OpenCaseButton
          subjectType="cluster"
          subjectId={cluster.cluster_id}
          title={`Cluster ${cluster.cluster_id}: ${size} linked accounts${topSignal ? `, ${humanize(topSignal.detector).toLowerCase()}` : ''}`}
        />
      </SubjectHeader>
      <ClusterStats cluster={cluster} members={members} size={size} links={links} />
      <LevelBasisPanel basis={cluster.basis} />
      <div className="grid-main">
        <section className="panel">
          <div className="panel-title">Linkage graph</div>
          <Suspense fallback={<Loading what="graph" />}>
            <LinkageGraph
              key={cluster.cluster_id}
              nodes={graph.nodes}
              edges={graph.edges}
              truncatedFrom={graph.truncated ? size : undefined}
              onOpenAccount={(a) => navigate(accountHref(a))}
            />
          </Suspense>
        </section>
        <div className="stack">
          <SharedLinksPanel links={links} />
          {anchor && (
            <DecisionPanel
              accountId={anchor}
              defaultScope="cluster"
              suggestedReason={`Cluster ${cluster.cluster_id} (${cluster.level}, score ${formatScore(cluster.score)}): ${topSignal?.evidence ?? 'linked accounts'}`}
            />
          )}
        </div>
      </div>
      <section className="panel">
        <div className="panel-title">Evidence</div>
        <EvidenceList signals={cluster.signals} />
      </section>
      {timeline.length > 0 && (
        <section className="panel">
          <div className="panel-title">Cluster traffic per hour</div>
          <TimelineChart buckets={timeline} />
        </section>
      )}
      <section className="panel flush">
        <div className="panel-title pad">Member accounts</div>
        <SortableTable
          rows={members}
          columns={memberColumns}
          rowKey={(n) => n.id}
          initialSort={{ key: 'score', dir: 'desc' }}
          onRowClick={(n) => navigate(accountHref(n.id))}
          testId="cluster-members"
          maxHeight={520}
        />
      </section>
    </>
  );
}
