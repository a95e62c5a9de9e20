import { LEVELS, type ClusterSummary } from '../../../src/contracts/index.js';
import { usePaged } from '../api/use-paged.js';
import { clusterHref, href, navigate } from '../app/route.js';
import { SegmentedFilter } from '../components/LevelFilter.js';
import { PagedPanel } from '../components/PagedPanel.js';
import { PageHeader } from '../components/PageHeader.js';
import { ClusterTable } from './ClusterTable.js';

const CHOICES = ['all', ...LEVELS] as const;

/**
 * Clusters that matter (monitor and above) unless asked: most linked groups sit at level none
 * (linked, with no evidence), and listing them first buries the campaigns.
 */
export function ClustersPage({ level }: { level?: string }) {
  const query =
    level === 'all'
      ? {}
      : level && (LEVELS as readonly string[]).includes(level)
        ? { level }
        : { min_level: 'monitor' };
  const list = usePaged<ClusterSummary>('/v1/clusters', query);
  return (
    <>
      <PageHeader title="Clusters">
        <SegmentedFilter
          label="Level"
          noneLabel="flagged"
          options={CHOICES}
          value={level}
          onChange={(l) => navigate(href('/clusters', { level: l }))}
          optionClass={(l) => (l === 'all' ? '' : `seg-${l}`)}
          renderOption={(l) =>
            l === 'all' ? (
              'all'
            ) : (
              <>
                <span className={`dot level-${l}`} /> {l}
              </>
            )
          }
        />
      </PageHeader>
      <p className="lede">
        Accounts linked by shared payment, sign-up, network, client and prompt attributes, scored as one
        campaign. A campaign can reach <b>act</b> even when each of its accounts looks like a light user.
        {!level && (
          <>
            {' '}
            Shown: clusters at monitor or above; groups linked without evidence (level none) are under{' '}
            <a href={href('/clusters', { level: 'all' })}>all</a>.
          </>
        )}
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
