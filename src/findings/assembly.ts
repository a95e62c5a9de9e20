import type { AccountFinding, Findings } from '../contracts/index.js';
import type { PopulationLinkage } from '../link/index.js';
import { accountFinding, type AccountScore } from './account-scoring.js';
import { silentBasis } from './level-basis.js';
import { calibrationSummary, type Calibrated, type Calibration } from './calibration.js';
import type { ClusterDetail, ClusterScoring } from './cluster-scoring.js';
import type { PopulationView } from './population-view.js';

export interface AnalysisDetail {
  findings: Findings;
  calibration: Calibration;
  /** Per-cluster pooled results and samples, for reports and the dashboard. */
  clusters: Map<string, ClusterDetail>;
  edges: { source: string; target: string; weight: number; kinds: string[] }[];
}

/** What the findings document reports about its input. */
export interface InputSummary {
  events: number;
  rejectedLines: number;
  dataStart: number;
  dataEnd: number;
}

/** The findings document and its detail, from the account and cluster scores. */
export function assembleFindings(
  population: PopulationView,
  own: ReadonlyMap<string, AccountScore>,
  clusters: ClusterScoring,
  link: PopulationLinkage,
  cal: Calibrated,
  input: InputSummary,
  targetFpr: number,
): AnalysisDetail {
  const accounts = accountFindings(population, own, clusters, cal);
  const calibration = calibrationSummary(cal, targetFpr);
  const findings: Findings = {
    format: 'findings.v1',
    generated_at: new Date().toISOString(),
    input: {
      events: input.events,
      accounts: accounts.length,
      rejected_lines: input.rejectedLines,
      from: Number.isFinite(input.dataStart) ? new Date(input.dataStart).toISOString() : null,
      to: Number.isFinite(input.dataEnd) ? new Date(input.dataEnd).toISOString() : null,
    },
    accounts,
    clusters: clusters.findings,
    calibration,
  };
  return {
    findings,
    calibration,
    clusters: clusters.detail,
    edges: link.linkage.edges.filter((e) => clusters.clusterOf.has(e.source)),
  };
}

/**
 * Every account's finding, strongest evidence first; accounts that appear only in the accounts file
 * still belong in the findings, after them.
 */
function accountFindings(
  population: PopulationView,
  own: ReadonlyMap<string, AccountScore>,
  clusters: ClusterScoring,
  cal: Calibrated,
): AccountFinding[] {
  const accounts: AccountFinding[] = [];
  for (const [id, s] of population.accounts) {
    const cid = clusters.clusterOf.get(id);
    const cluster = cid === undefined ? undefined : clusters.verdicts.get(cid);
    accounts.push(
      accountFinding(id, s, own.get(id)!, population.external.get(id) ?? [], cluster, cal.thresholds),
    );
  }
  // Strength ranks where scores saturate (findings.v1 readers that sort by score still can).
  accounts.sort((a, b) => (b.strength ?? 0) - (a.strength ?? 0) || (a.account_id < b.account_id ? -1 : 1));
  for (const id of [...population.records.keys()].sort()) {
    if (!population.accounts.has(id))
      accounts.push({
        account_id: id,
        score: 0,
        level: 'none',
        cluster_id: null,
        events: 0,
        signals: [],
        strength: 0,
        basis: silentBasis(cal.thresholds),
      });
  }
  return accounts;
}
