import { useMemo } from 'react';
import { api, itemsOf } from '../api/client.js';
import type { ClusterSummary, Overview, Page } from '../../../src/contracts/index.js';
import { useApi } from '../api/useApi.js';
import { useAutoReload } from '../api/useAutoReload.js';
import { formatCount, formatShare, formatTime } from '../app/format.js';
import { clusterHref, href, navigate } from '../app/route.js';
import { LevelDistribution } from '../components/LevelDistribution.js';
import { PageHeader } from '../components/PageHeader.js';
import { StatCard } from '../components/StatCard.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';
import { TimelineChart } from '../components/TimelineChart.js';
import { ClusterTable, severity } from './ClusterTable.js';

const TOP_CLUSTERS = 8;

export function OverviewPage() {
  const overview = useApi(() => api.get<Overview>('/v1/overview'), []);
  // The server ranks by score; fetch a wider slice so the most severe levels surface in the top rows.
  const top = useApi(
    () => api.get<Page<ClusterSummary>>('/v1/clusters', { limit: 200, min_level: 'monitor' }),
    [],
  );
  const topRows = useMemo(
    () => [...itemsOf(top.data)].sort((a, b) => severity(b) - severity(a)).slice(0, TOP_CLUSTERS),
    [top.data],
  );
  useAutoReload(overview.reload, 20_000);
  useAutoReload(top.reload, 20_000);
  if (overview.loading && !overview.data) return <Loading what="overview" />;
  if (overview.error) return <ErrorBox error={overview.error} onRetry={overview.reload} />;
  const o = overview.data;
  if (!o) return null;
  const flaggedAccounts = (o.levels.review ?? 0) + (o.levels.act ?? 0);
  const flaggedClusters = (o.clusters.byLevel.review ?? 0) + (o.clusters.byLevel.act ?? 0);
  const flaggedEvents = o.timeline.reduce((sum, b) => sum + (b.flagged ?? 0), 0);
  return (
    <>
      <PageHeader title="Overview">
        <span className="muted window">
          traffic {formatTime(o.from)} → {formatTime(o.to)}
          {o.generated_at && (
            <>
              <br />
              findings refreshed {formatTime(o.generated_at)}
            </>
          )}
        </span>
      </PageHeader>
      <div className="stats" data-testid="overview-stats">
        <StatCard
          label="Events"
          value={formatCount(o.events)}
          hint={`${o.timeline.length} hours of traffic`}
          testId="stat-events"
        />
        <StatCard
          label="Accounts"
          value={formatCount(o.accounts)}
          hint={`${formatCount(o.levels.monitor ?? 0)} monitored`}
          testId="stat-accounts"
        />
        <StatCard
          label="Flagged accounts"
          value={formatCount(flaggedAccounts)}
          hint={`${formatShare(flaggedAccounts, o.accounts)} at review or act`}
          tone={flaggedAccounts ? 'review' : undefined}
          testId="stat-flagged"
        />
        <StatCard
          label="Flagged clusters"
          value={formatCount(o.clusters.total - (o.clusters.byLevel.none ?? 0))}
          hint={`${formatCount(o.clusters.byLevel.act ?? 0)} act · ${formatCount(o.clusters.byLevel.review ?? 0)} review, of ${formatCount(o.clusters.total)} linked groups`}
          tone={flaggedClusters ? 'act' : undefined}
          testId="stat-clusters"
        />
        <StatCard
          label="Flagged traffic"
          value={formatShare(flaggedEvents, o.events)}
          hint={`${formatCount(flaggedEvents)} events`}
        />
      </div>
      <section className="panel">
        <div className="panel-title">Traffic per hour</div>
        {o.timeline.length ? (
          <TimelineChart buckets={o.timeline} testId="overview-timeline" />
        ) : (
          <Empty>No events yet.</Empty>
        )}
      </section>
      <div className="grid-2">
        <section className="panel">
          <div className="panel-title">
            Accounts by level <a href={href('/accounts', { level: 'act' })}>view act →</a>
          </div>
          <LevelDistribution counts={o.levels} />
        </section>
        <section className="panel">
          <div className="panel-title">
            Clusters by level <a href={href('/clusters')}>all clusters →</a>
          </div>
          <LevelDistribution counts={o.clusters.byLevel} />
        </section>
      </div>
      <section className="panel">
        <div className="panel-title">Top clusters</div>
        {top.error ? (
          <ErrorBox error={top.error} onRetry={top.reload} />
        ) : top.loading && !top.data ? (
          <Loading what="clusters" />
        ) : topRows.length ? (
          <ClusterTable
            rows={topRows}
            onOpen={(c) => navigate(clusterHref(c.cluster_id))}
            testId="top-clusters"
          />
        ) : (
          <Empty>No clusters of linked accounts were found.</Empty>
        )}
      </section>
    </>
  );
}
