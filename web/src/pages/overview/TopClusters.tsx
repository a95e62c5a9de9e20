import type { ClusterSummary, Page } from '../../../../src/contracts/index.js';
import type { Loaded } from '../../api/use-api.js';
import { clusterHref, navigate } from '../../app/route.js';
import { Empty, ErrorBox, Loading } from '../../components/States.js';
import { ClusterTable } from '../ClusterTable.js';

/** The most severe clusters (`rows`, from the wider slice in `top`). */
export function TopClusters({ top, rows }: { top: Loaded<Page<ClusterSummary>>; rows: ClusterSummary[] }) {
  return (
    <section className="panel">
      <div className="panel-title">Top clusters</div>
      {top.error ? (
        <ErrorBox error={top.error} onRetry={top.reload} />
      ) : top.loading && !top.data ? (
        <Loading what="clusters" />
      ) : rows.length ? (
        <ClusterTable rows={rows} onOpen={(c) => navigate(clusterHref(c.cluster_id))} testId="top-clusters" />
      ) : (
        <Empty>No clusters of linked accounts were found.</Empty>
      )}
    </section>
  );
}
