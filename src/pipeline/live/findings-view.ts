import type { AccountFinding, ClusterFinding, Findings, Level, Signal } from '../../contracts/index.js';
import type { LinkEdge } from './findings-engine.js';
import { unpackEdges, type PackedEdges } from './findings-delta.js';

export interface SignalItem extends Signal {
  subject_type: 'account' | 'cluster';
  subject_id: string;
}

// Strength (-log10 p) ranks where scores saturate; the API pages by the same key.
const byScore = (a: { score: number; id: string }, b: { score: number; id: string }) =>
  b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const rankOf = (f: { strength?: number; score: number }): number => f.strength ?? f.score;

/** Indexes over one findings document, built once per refresh so queries are lookups and scans. */
export class FindingsView {
  readonly accounts: AccountFinding[];
  readonly clusters: ClusterFinding[];
  private signalList: SignalItem[] | undefined;
  private readonly accountById = new Map<string, AccountFinding>();
  private readonly clusterById = new Map<string, ClusterFinding>();
  private readonly clusterOfAccount = new Map<string, string>();
  private readonly clusterEdges = new Map<string, LinkEdge[]>();

  /** Edges as the engine's thread handed them over, unpacked per cluster when asked for. */
  private readonly packed: PackedEdges | undefined;

  constructor(
    readonly findings: Findings,
    edges: readonly LinkEdge[] | PackedEdges = [],
  ) {
    this.accounts = [...findings.accounts].sort((a, b) =>
      byScore({ score: rankOf(a), id: a.account_id }, { score: rankOf(b), id: b.account_id }),
    );
    this.clusters = [...findings.clusters].sort((a, b) =>
      byScore({ score: rankOf(a), id: a.cluster_id }, { score: rankOf(b), id: b.cluster_id }),
    );
    for (const a of this.accounts) this.accountById.set(a.account_id, a);
    for (const c of this.clusters) {
      this.clusterById.set(c.cluster_id, c);
      for (const id of c.account_ids) this.clusterOfAccount.set(id, c.cluster_id);
    }
    for (const a of this.accounts)
      if (a.cluster_id && !this.clusterOfAccount.has(a.account_id))
        this.clusterOfAccount.set(a.account_id, a.cluster_id);
    if (!Array.isArray(edges)) {
      this.packed = edges as PackedEdges;
      return;
    }
    for (const e of edges as readonly LinkEdge[]) {
      const c = this.clusterOfAccount.get(e.source);
      if (!c || this.clusterOfAccount.get(e.target) !== c) continue;
      const list = this.clusterEdges.get(c) ?? [];
      list.push(e);
      this.clusterEdges.set(c, list);
    }
  }

  /**
   * Every signal, strongest first: built when first asked for, not in each scoring round, which
   * runs on the thread that answers enforcement lookups.
   */
  get signals(): readonly SignalItem[] {
    this.signalList ??= [
      ...this.clusters.flatMap((c) =>
        c.signals.map((s) => ({ ...s, subject_type: 'cluster' as const, subject_id: c.cluster_id })),
      ),
      ...this.accounts.flatMap((a) =>
        a.signals.map((s) => ({ ...s, subject_type: 'account' as const, subject_id: a.account_id })),
      ),
    ].sort((x, y) => y.score - x.score);
    return this.signalList;
  }

  static empty(): FindingsView {
    return new FindingsView({
      format: 'findings.v1',
      generated_at: new Date(0).toISOString(),
      input: { events: 0, accounts: 0, rejected_lines: 0, from: null, to: null },
      accounts: [],
      clusters: [],
    });
  }

  account(id: string): AccountFinding | undefined {
    return this.accountById.get(id);
  }

  cluster(id: string): ClusterFinding | undefined {
    return this.clusterById.get(id);
  }

  /** Linkage edges inside a cluster, when the engine reported them. */
  edgesOf(clusterId: string): readonly LinkEdge[] | undefined {
    if (this.packed && !this.clusterEdges.has(clusterId) && this.clusterById.has(clusterId)) {
      const inCluster = (id: string) => this.clusterOfAccount.get(id) === clusterId;
      this.clusterEdges.set(
        clusterId,
        unpackEdges(this.packed, (s, t) => inCluster(s) && inCluster(t)),
      );
    }
    const list = this.clusterEdges.get(clusterId);
    return list?.length ? list : undefined;
  }

  clusterOf(accountId: string): string | null {
    return this.clusterOfAccount.get(accountId) ?? null;
  }

  levelCounts(): Record<Level, number> {
    const out: Record<Level, number> = { none: 0, monitor: 0, review: 0, act: 0 };
    for (const a of this.accounts) out[a.level]++;
    return out;
  }

  clusterLevelCounts(): Record<Level, number> {
    const out: Record<Level, number> = { none: 0, monitor: 0, review: 0, act: 0 };
    for (const c of this.clusters) out[c.level]++;
    return out;
  }

  /** Accounts flagged for the timeline: anything above none, own level or cluster level. */
  flaggedAccountIds(): string[] {
    const ids = new Set<string>();
    for (const a of this.accounts) if (a.level !== 'none') ids.add(a.account_id);
    for (const c of this.clusters) if (c.level !== 'none') for (const id of c.account_ids) ids.add(id);
    return [...ids];
  }
}
