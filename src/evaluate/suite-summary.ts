import { levelRank, type Level } from '../contracts/index.js';
import type { Evaluation } from '../findings/index.js';

/** Minimum and median of one figure over a group's runs (worst is the maximum for rates to keep low). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface CampaignSpread {
  campaign: string;
  runs: number;
  /** Accounts at review or above, as a share of the campaign's accounts. */
  recall: Spread;
  /** Accounts at act, as a share. */
  actShare: Spread;
  /** Best-matching cluster; 0 where no cluster holds any of the campaign's accounts. */
  clusterPrecision: Spread;
  clusterRecall: Spread;
}

export interface TrapSpread {
  kind: string;
  /** Worst level any of its accounts reached in any run. */
  worst: Level;
  /** Most accounts at review or above, and at act, in one run. */
  maxFlagged: number;
  maxAtAct: number;
}

/** One group of runs (small seeds, medium seeds, corpora) summarised over its runs. */
export interface GroupSummary {
  group: string;
  runs: string[];
  attackerRecall: Spread;
  /** Ordinary benign accounts at review or above. */
  benignFpr: Spread;
  /** Legitimate hard cases (traps) at review or above, as a share of trap accounts. */
  trapFpr: Spread;
  /** Clusters at review or above that are mostly not attackers, per run, and in all the group's runs. */
  benignClusters: Spread & { total: number };
  traps: TrapSpread[];
  /** True when no trap account reached act in any run of the group. */
  noTrapAtAct: boolean;
  campaigns: CampaignSpread[];
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN };
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median, max: v[v.length - 1]! };
}

/** Per campaign and for the population, the minimum and median over the group's runs. */
export function summariseGroup(
  group: string,
  runs: readonly { name: string; evaluation: Evaluation }[],
): GroupSummary {
  const evals = runs.map((r) => r.evaluation);
  const campaigns = [...new Set(evals.flatMap((e) => e.campaigns.map((c) => c.campaign)))].sort();
  const trapKinds = [...new Set(evals.flatMap((e) => Object.keys(e.trapKinds)))].sort();
  return {
    group,
    runs: runs.map((r) => r.name),
    attackerRecall: spread(evals.map((e) => e.attackerRecall)),
    benignFpr: spread(evals.map((e) => e.benignFpr)),
    trapFpr: spread(evals.map((e) => (e.trapAccounts ? e.trapsFlagged / e.trapAccounts : 0))),
    benignClusters: {
      ...spread(evals.map((e) => e.benignClusters.length)),
      total: evals.reduce((n, e) => n + e.benignClusters.length, 0),
    },
    traps: trapKinds.map((kind) => {
      const seen = evals.flatMap((e) => (e.trapKinds[kind] ? [{ e, k: e.trapKinds[kind] }] : []));
      const worst = seen
        .map(({ e }) => e.traps[kind] ?? 'none')
        .reduce<Level>((a, b) => (levelRank(b) > levelRank(a) ? b : a), 'none');
      return {
        kind,
        worst,
        maxFlagged: Math.max(...seen.map(({ k }) => k.flagged)),
        maxAtAct: Math.max(...seen.map(({ k }) => k.atAct)),
      };
    }),
    noTrapAtAct: evals.every((e) => Object.values(e.trapKinds).every((k) => k.atAct === 0)),
    campaigns: campaigns.map((campaign) => {
      const results = evals.flatMap((e) => e.campaigns.filter((c) => c.campaign === campaign));
      return {
        campaign,
        runs: results.length,
        recall: spread(results.map((c) => c.recall)),
        actShare: spread(results.map((c) => (c.accounts ? c.atAct / c.accounts : 0))),
        clusterPrecision: spread(results.map((c) => c.cluster?.precision ?? 0)),
        clusterRecall: spread(results.map((c) => c.cluster?.recall ?? 0)),
      };
    }),
  };
}
