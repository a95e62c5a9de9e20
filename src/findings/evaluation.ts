import { isTrap, levelRank, type Findings, type Level, type Truth } from '../contracts/index.js';
import { runMisses } from './detection-bar.js';

const AT_LEAST_REVIEW = new Set<Level>(['review', 'act']);

export interface CampaignResult {
  campaign: string;
  accounts: number;
  flagged: number;
  recall: number;
  /** Accounts of the campaign at act. */
  atAct: number;
  /** Best-matching cluster and its account precision/recall against the campaign. */
  cluster: { cluster_id: string; precision: number; recall: number } | null;
}

/** A cluster at review or above that is mostly not attackers, with what its accounts are. */
export interface BenignCluster {
  cluster_id: string;
  level: Level;
  accounts: number;
  attackers: number;
  /** Hard-case accounts among them (the rest are ordinary benign). */
  traps: number;
}

export interface Evaluation {
  attackers: number;
  attackersFlagged: number;
  attackerRecall: number;
  /** Ordinary benign accounts (hard cases are judged by their own rule: never at act). */
  benign: number;
  benignFlagged: number;
  benignFpr: number;
  /** Hard-case accounts at review or above (reported, allowed). */
  trapsFlagged: number;
  trapsAtAct: string[];
  traps: Record<string, Level>;
  /** Hard-case accounts in all, and per kind how many reached review or above and act. */
  trapAccounts: number;
  trapKinds: Record<string, { accounts: number; flagged: number; atAct: number }>;
  campaigns: CampaignResult[];
  /**
   * Clusters at review or above whose accounts are mostly not attackers (ordinary or hard cases):
   * a false positive at the cluster level, which the account counts above do not show when the
   * members' own levels stay lower (the cluster is still what an analyst is asked to review).
   */
  benignClusters: BenignCluster[];
  /** What this run misses of the detection bar (`BAR_ITEMS`, src/findings/detection-bar.ts). */
  failures: string[];
  passed: boolean;
}

/**
 * Scores findings against a simulator's truth and judges the run by the detection bar, the same
 * items the eval suite and CI's gate use. Single-account campaigns count as recovered when their
 * account is flagged; multi-account campaigns need one cluster holding them.
 */
export function evaluateFindings(findings: Findings, truth: Truth): Evaluation {
  const level = new Map(findings.accounts.map((a) => [a.account_id, a.level]));
  let attackers = 0;
  let attackersFlagged = 0;
  let benign = 0;
  let benignFlagged = 0;
  let trapsFlagged = 0;
  const traps: Record<string, Level> = {};
  const trapsAtAct: string[] = [];
  const trapKinds: Evaluation['trapKinds'] = {};
  for (const [id, t] of Object.entries(truth.accounts)) {
    const l = level.get(id) ?? 'none';
    if (t.role === 'attacker') {
      attackers++;
      if (AT_LEAST_REVIEW.has(l)) attackersFlagged++;
    } else if (!isTrap(t)) {
      benign++;
      if (AT_LEAST_REVIEW.has(l)) benignFlagged++;
    } else {
      if (AT_LEAST_REVIEW.has(l)) trapsFlagged++;
      {
        const name = t.campaign!;
        // A trap spanning many accounts reports its worst level.
        if (!traps[name] || levelRank(l) > levelRank(traps[name])) traps[name] = l;
        if (l === 'act') trapsAtAct.push(id);
        const kind = (trapKinds[name] ??= { accounts: 0, flagged: 0, atAct: 0 });
        kind.accounts++;
        if (AT_LEAST_REVIEW.has(l)) kind.flagged++;
        if (l === 'act') kind.atAct++;
      }
    }
  }
  const campaigns = Object.entries(truth.clusters).map(([campaign, ids]) =>
    campaignResult(campaign, ids, level, findings.clusters),
  );
  const benignClusters = mostlyBenignClusters(findings.clusters, truth);
  const attackerRecall = attackers ? attackersFlagged / attackers : 1;
  const benignFpr = benign ? benignFlagged / benign : 0;
  const scored = {
    attackers,
    attackersFlagged,
    attackerRecall,
    benign,
    benignFlagged,
    benignFpr,
    trapsFlagged,
    trapsAtAct,
    traps,
    trapAccounts: Object.values(trapKinds).reduce((n, k) => n + k.accounts, 0),
    trapKinds,
    campaigns,
    benignClusters,
  };
  const failures = runMisses(scored);
  return { ...scored, failures, passed: failures.length === 0 };
}

/** Clusters at review or act of which fewer than half the accounts are attackers (by truth). */
function mostlyBenignClusters(clusters: Findings['clusters'], truth: Truth): BenignCluster[] {
  const out: BenignCluster[] = [];
  for (const c of clusters) {
    if (!AT_LEAST_REVIEW.has(c.level)) continue;
    let attackers = 0;
    let traps = 0;
    for (const id of c.account_ids) {
      const t = truth.accounts[id];
      if (t?.role === 'attacker') attackers++;
      else if (t && isTrap(t)) traps++;
    }
    if (2 * attackers < c.account_ids.length)
      out.push({
        cluster_id: c.cluster_id,
        level: c.level,
        accounts: c.account_ids.length,
        attackers,
        traps,
      });
  }
  return out;
}

/** How much of one campaign was flagged, and the cluster that holds most of it. */
function campaignResult(
  campaign: string,
  ids: string[],
  level: ReadonlyMap<string, Level>,
  clusters: Findings['clusters'],
): CampaignResult {
  const flagged = ids.filter((id) => AT_LEAST_REVIEW.has(level.get(id) ?? 'none')).length;
  let cluster: CampaignResult['cluster'] = null;
  const members = new Set(ids);
  for (const c of clusters) {
    const overlap = c.account_ids.filter((id) => members.has(id)).length;
    if (!overlap) continue;
    const precision = overlap / c.account_ids.length;
    const recall = overlap / ids.length;
    if (!cluster || recall > cluster.recall) cluster = { cluster_id: c.cluster_id, precision, recall };
  }
  return {
    campaign,
    accounts: ids.length,
    flagged,
    recall: ids.length ? flagged / ids.length : 1,
    atAct: ids.filter((id) => level.get(id) === 'act').length,
    cluster,
  };
}

const fmt = (x: number): string =>
  x < 0.01 && x > 0 ? `${(x * 100).toFixed(2)} %` : `${(x * 100).toFixed(1)} %`;

export function formatEvaluation(e: Evaluation): string {
  const lines = [
    `attackers at review+: ${e.attackersFlagged}/${e.attackers} (${fmt(e.attackerRecall)})`,
    `benign at review+:    ${e.benignFlagged}/${e.benign} (${fmt(e.benignFpr)})`,
    `traps: ${
      Object.entries(e.traps)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'none'
    }`,
    `clusters at review+ mostly not attackers: ${e.benignClusters.length}` +
      e.benignClusters
        .map(
          (c) =>
            ` ${c.cluster_id} (${c.level}, ${c.attackers}/${c.accounts} attackers, ${c.traps} hard cases)`,
        )
        .join(','),
    ...e.campaigns.map(
      (c) =>
        `campaign ${c.campaign}: ${c.flagged}/${c.accounts} flagged (${fmt(c.recall)})` +
        (c.cluster
          ? `; cluster ${c.cluster.cluster_id} precision ${fmt(c.cluster.precision)} recall ${fmt(c.cluster.recall)}`
          : ''),
    ),
    e.passed ? 'PASS' : `FAIL: ${e.failures.join('; ')}`,
  ];
  return lines.join('\n');
}
