import type { ClusterSummary } from '../../../src/contracts/index.js';
import { usePaged } from '../api/usePaged.js';
import { clusterHref, href, navigate } from '../app/route.js';
import { LevelFilter } from '../components/LevelFilter.js';
import { LoadMore } from '../components/LoadMore.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';
import { ClusterTable } from './ClusterTable.js';

export function ClustersPage({ level }: { level?: string }) {
  const list = usePaged<ClusterSummary>('/v1/clusters', { level });
  return (
    <>
      <PageHeader title="Clusters">
        <LevelFilter value={level} onChange={(l) => navigate(href('/clusters', { level: l }))} />
      </PageHeader>
      <p className="lede">
        Accounts linked by shared payment, sign-up, network, client and prompt attributes, scored as one
        campaign. A campaign can reach <b>act</b> even when each of its accounts looks like a light user.
      </p>
      <section className="panel flush">
        {list.error ? (
          <ErrorBox error={list.error} onRetry={list.reload} />
        ) : list.loading && list.items.length === 0 ? (
          <Loading what="clusters" />
        ) : list.items.length === 0 ? (
          <Empty>No clusters at this level.</Empty>
        ) : (
          <ClusterTable
            rows={list.items}
            onOpen={(c) => navigate(clusterHref(c.cluster_id))}
            testId="clusters-table"
            maxHeight={720}
          />
        )}
      </section>
      <LoadMore shown={list.items.length} next={list.next} loading={list.loading} onMore={list.more} />
    </>
  );
}
