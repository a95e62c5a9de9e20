import { useMemo } from 'react';
import { api, itemsOf } from '../../api/client.js';
import type { ClusterSummary, Overview, Page } from '../../../../src/contracts/index.js';
import { useApi } from '../../api/use-api.js';
import { useAutoReload } from '../../api/use-auto-reload.js';
import { formatTime } from '../../app/format.js';
import { href } from '../../app/route.js';
import { LevelDistribution } from '../../components/LevelDistribution.js';
import { PageHeader } from '../../components/PageHeader.js';
import { Empty, ErrorBox, Loading } from '../../components/States.js';
import { TimelineChart } from '../../components/TimelineChart.js';
import { severity } from '../ClusterTable.js';
import { OverviewStats } from './OverviewStats.js';
import { TopClusters } from './TopClusters.js';

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
      <OverviewStats o={o} />
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
      <TopClusters top={top} rows={topRows} />
    </>
  );
}
