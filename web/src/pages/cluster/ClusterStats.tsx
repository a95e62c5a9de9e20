import type { ClusterFinding, GraphNode } from '../../../../src/contracts/index.js';
import { formatCount } from '../../app/format.js';
import { linkLabel } from '../../components/graph-style.js';
import { ScoreStat, StatCard } from '../../components/StatCard.js';

interface Props {
  cluster: ClusterFinding;
  members: readonly GraphNode[];
  /** Accounts in the cluster (the graph may show only its strongest members). */
  size: number;
  /** The cluster's links, most shared first. */
  links: ClusterFinding['links'];
}

/** The cluster's score, size, traffic and shared attributes at a glance. */
export function ClusterStats({ cluster, members, size, links }: Props) {
  const flaggedMembers = members.filter((n) => n.level === 'review' || n.level === 'act').length;
  return (
    <div className="stats">
      <ScoreStat score={cluster.score} level={cluster.level} />
      <StatCard label="Accounts" value={formatCount(size)} hint={`${flaggedMembers} individually flagged`} />
      <StatCard
        label="Events"
        value={formatCount(cluster.events)}
        hint={`${formatCount(Math.round(cluster.events / Math.max(1, size)))} per account`}
      />
      <StatCard
        label="Shared attributes"
        value={formatCount(cluster.links.length)}
        hint={links[0] ? `most: ${linkLabel(links[0].kind)}` : undefined}
      />
    </div>
  );
}
