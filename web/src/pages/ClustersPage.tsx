import type { ClusterSummary } from '../../../src/contracts/index.js';
import { usePaged } from '../api/usePaged.js';
import { clusterHref, href, navigate } from '../app/route.js';
import { LevelFilter } from '../components/LevelFilter.js';
import { PagedPanel } from '../components/PagedPanel.js';
import { PageHeader } from '../components/PageHeader.js';
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
      <PagedPanel list={list} what="clusters" empty="No clusters at this level.">
        {(items) => (
          <ClusterTable
            rows={items}
            onOpen={(c) => navigate(clusterHref(c.cluster_id))}
            testId="clusters-table"
            maxHeight={720}
          />
        )}
      </PagedPanel>
    </>
  );
}
