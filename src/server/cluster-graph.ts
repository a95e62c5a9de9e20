import type {
  AccountFinding,
  AccountRecord,
  ClusterFinding,
  ClusterGraph,
  GraphEdge,
  GraphNode,
} from '../contracts/index.js';
import { LINK_WEIGHTS } from '../link/index.js';
import type { LinkEdge } from '../pipeline/index.js';

const MAX_NODES = 400;
// Within a group sharing one value, a ring plus a few chords shows the link without n² edges.
const CHORDS = [1, 2, 5];

function recordValue(kind: string, r: AccountRecord | undefined): string | null {
  if (!r) return null;
  switch (kind) {
    case 'payment_fingerprint':
      return r.payment_fingerprint ?? null;
    case 'email_hash':
      return r.email_hash ?? null;
    case 'email_domain':
      return r.email_domain?.toLowerCase() ?? null;
    case 'signup_ip':
      return r.signup_ip ?? null;
    case 'signup_ip_prefix':
      return r.signup_ip ? r.signup_ip.split('.').slice(0, 3).join('.') : null;
    default:
      return null;
  }
}

/**
 * The linkage graph of a cluster for display: member nodes, and edges for each shared attribute.
 * Uses the engine's linkage edges when it reported them; otherwise joins members whose account
 * records share the linked value, and for traffic-derived links shared by the whole cluster,
 * rings all members. Large clusters show their highest-scoring members.
 */
export function clusterGraph(
  cluster: ClusterFinding,
  accountOf: (id: string) => AccountFinding | undefined,
  recordOf: (id: string) => AccountRecord | undefined,
  engineEdges?: readonly LinkEdge[],
): ClusterGraph {
  const members = cluster.account_ids
    .map(
      (id): AccountFinding =>
        accountOf(id) ?? { account_id: id, level: 'none', score: 0, events: 0, signals: [] },
    )
    .sort((a, b) => b.score - a.score || (a.account_id < b.account_id ? -1 : 1));
  const shown = members.slice(0, MAX_NODES);
  const inGraph = new Set(shown.map((m) => m.account_id));
  const nodes = shown.map((m): GraphNode => ({
    id: m.account_id,
    level: m.level,
    score: m.score,
    events: m.events,
  }));

  if (engineEdges && engineEdges.length > 0) {
    const edges = engineEdges
      .filter((e) => inGraph.has(e.source) && inGraph.has(e.target))
      .map((e): GraphEdge => ({
        source: e.source,
        target: e.target,
        kind: e.kinds.join('+') || 'linked',
        weight: e.weight,
      }));
    return { nodes, edges, truncated: members.length > shown.length };
  }

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const ring = (ids: string[], kind: string) => {
    if (ids.length < 2) return;
    for (let i = 0; i < ids.length; i++)
      for (const step of CHORDS) {
        if (step >= ids.length || (ids.length === 2 && i === 1)) continue;
        const a = ids[i]!;
        const b = ids[(i + step) % ids.length]!;
        const key = a < b ? `${a}\u0000${b}\u0000${kind}` : `${b}\u0000${a}\u0000${kind}`;
        if (a === b || seen.has(key)) continue;
        seen.add(key);
        edges.push({
          source: a,
          target: b,
          kind,
          weight: (LINK_WEIGHTS as Record<string, number>)[kind] ?? 0.5,
        });
      }
  };
  const ids = shown.map((m) => m.account_id);
  for (const link of cluster.links) {
    const byValue = new Map<string, string[]>();
    for (const id of ids) {
      const v = recordValue(link.kind, recordOf(id));
      if (v === null) continue;
      const g = byValue.get(v) ?? [];
      g.push(id);
      byValue.set(v, g);
    }
    if (byValue.size > 0) for (const g of byValue.values()) ring(g, link.kind);
    else if (link.accounts >= cluster.account_ids.length) ring(ids, link.kind);
  }
  return { nodes, edges, truncated: members.length > shown.length };
}
