import type { Overview } from '../../../../src/contracts/index.js';
import { formatCount, formatShare } from '../../app/format.js';
import { StatCard } from '../../components/StatCard.js';

/** Traffic, accounts and what is flagged among them, at a glance. */
export function OverviewStats({ o }: { o: Overview }) {
  const flaggedAccounts = (o.levels.review ?? 0) + (o.levels.act ?? 0);
  const flaggedClusters = (o.clusters.byLevel.review ?? 0) + (o.clusters.byLevel.act ?? 0);
  const flaggedEvents = o.timeline.reduce((sum, b) => sum + (b.flagged ?? 0), 0);
  return (
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
  );
}
