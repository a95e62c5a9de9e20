import type { Findings, Truth } from '../contracts/index.js';
import { DETECTORS } from '../detect/index.js';
import { DETECTION_BAR, LINK_TYPES, type Evaluation } from '../findings/index.js';

/** What a campaign's findings rest on in one run. */
export interface CampaignCarriers {
  campaign: string;
  /** Share of the campaign's accounts whose own signals include each detector (only those that fire). */
  detectors: Record<string, number>;
  /** Share of its best-matching cluster's accounts that share each link type (only those present). */
  links: Record<string, number>;
}

const DETECTOR_IDS = new Set(DETECTORS.map((d) => d.id));

/** The detectors and link types behind each campaign's findings in one run. */
export function campaignCarriers(
  findings: Findings,
  truth: Truth,
  evaluation: Evaluation,
): CampaignCarriers[] {
  const accounts = new Map(findings.accounts.map((a) => [a.account_id, a]));
  const clusters = new Map(findings.clusters.map((c) => [c.cluster_id, c]));
  return evaluation.campaigns.map((c) => {
    const ids = truth.clusters[c.campaign] ?? [];
    const detectors: Record<string, number> = {};
    for (const id of ids)
      for (const d of new Set(accounts.get(id)?.signals.map((s) => s.detector) ?? []))
        if (DETECTOR_IDS.has(d)) detectors[d] = (detectors[d] ?? 0) + 1 / ids.length;
    const links: Record<string, number> = {};
    const cluster = c.cluster ? clusters.get(c.cluster.cluster_id) : undefined;
    for (const l of cluster?.links ?? [])
      links[l.kind] = Math.max(links[l.kind] ?? 0, l.accounts / cluster!.account_ids.length);
    return { campaign: c.campaign, detectors: round(detectors), links: round(links) };
  });
}

const round = (r: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(r)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
  );

/** Everything ablation switches off, one at a time: every detector, then every link type. */
export const ABLATION_ITEMS: readonly { off: string; kind: 'detector' | 'link' }[] = [
  ...DETECTORS.map((d) => ({ off: d.id, kind: 'detector' as const })),
  ...LINK_TYPES.map((off) => ({ off, kind: 'link' as const })),
];

export interface CampaignOutcome {
  /** Accounts at review or above. */
  recall: number;
  clusterPrecision: number;
  clusterRecall: number;
  /** Recovered as one cluster by the bar's standard (or too small to need one). */
  recovered: boolean;
}

export const outcomeOf = (c: Evaluation['campaigns'][number]): CampaignOutcome => ({
  recall: c.recall,
  clusterPrecision: c.cluster?.precision ?? 0,
  clusterRecall: c.cluster?.recall ?? 0,
  recovered:
    c.accounts < DETECTION_BAR.clusterMinAccounts ||
    (c.cluster !== null &&
      c.cluster.precision >= DETECTION_BAR.clusterPrecision &&
      c.cluster.recall >= DETECTION_BAR.clusterRecall),
});

/** One run analysed with each item switched off in turn. */
export interface AblationRun {
  run: string;
  base: Record<string, CampaignOutcome>;
  without: { off: string; kind: 'detector' | 'link'; campaigns: Record<string, CampaignOutcome> }[];
}

export interface AblationRow {
  campaign: string;
  /** Detectors and link types present on at least half of its accounts in every ablation run (median share shown). */
  carriers: { detectors: Record<string, number>; links: Record<string, number> };
  /** Worst over runs with nothing switched off. */
  base: CampaignOutcome;
  /** Worst over runs with each item switched off. */
  without: Record<string, CampaignOutcome>;
  /** Items whose removal alone takes the campaign below the bar (recall or cluster recovery) where it was above. */
  brittle: string[];
}

const worst = (outcomes: readonly CampaignOutcome[]): CampaignOutcome => ({
  recall: Math.min(...outcomes.map((o) => o.recall)),
  clusterPrecision: Math.min(...outcomes.map((o) => o.clusterPrecision)),
  clusterRecall: Math.min(...outcomes.map((o) => o.clusterRecall)),
  recovered: outcomes.every((o) => o.recovered),
});

/** Per campaign: what carries it and its worst recall over the ablation runs without each item. */
export function ablationTable(
  runs: readonly AblationRun[],
  carriers: readonly (readonly CampaignCarriers[])[],
): AblationRow[] {
  const campaigns = [...new Set(runs.flatMap((r) => Object.keys(r.base)))].sort();
  return campaigns.map((campaign) => {
    const present = runs.filter((r) => r.base[campaign]);
    const base = worst(present.map((r) => r.base[campaign]!));
    const without: Record<string, CampaignOutcome> = {};
    for (const { off } of ABLATION_ITEMS) {
      const outcomes = present.flatMap(
        (r) => r.without.find((w) => w.off === off)?.campaigns[campaign] ?? [],
      );
      if (outcomes.length) without[off] = worst(outcomes);
    }
    const brittle = Object.entries(without)
      .filter(
        ([, o]) =>
          (base.recall >= DETECTION_BAR.campaignRecall && o.recall < DETECTION_BAR.campaignRecall) ||
          (base.recovered && !o.recovered),
      )
      .map(([off]) => off);
    const mine = carriers.map((run) => run.find((c) => c.campaign === campaign));
    const steady = (pick: (c: CampaignCarriers) => Record<string, number>): Record<string, number> => {
      const keys = new Set(mine.flatMap((c) => (c ? Object.keys(pick(c)) : [])));
      const out: Record<string, number> = {};
      for (const k of keys) {
        const shares = mine.map((c) => (c ? (pick(c)[k] ?? 0) : 0)).sort((a, b) => a - b);
        if (shares[0]! >= 0.5) out[k] = shares[Math.floor(shares.length / 2)]!;
      }
      return round(out);
    };
    return {
      campaign,
      carriers: { detectors: steady((c) => c.detectors), links: steady((c) => c.links) },
      base,
      without,
      brittle,
    };
  });
}
