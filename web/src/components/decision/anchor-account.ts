/** What of a cluster's detail names its members and their scores. */
export interface ClusterMembers {
  cluster: { account_ids: readonly string[] };
  graph: { nodes: readonly { id: string; score: number }[] };
}

/**
 * The account a decision about a whole cluster is set on: its highest-scoring member (the first
 * listed when the graph is empty). The decision panel widens the scope to the cluster.
 */
export function anchorAccount(c: ClusterMembers): string | undefined {
  return [...c.graph.nodes].sort((a, b) => b.score - a.score)[0]?.id ?? c.cluster.account_ids[0];
}
