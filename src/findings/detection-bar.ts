import type { Evaluation } from './evaluation.js';

/** A run's scores before it is judged (what the bar items read). */
type Scored = Omit<Evaluation, 'failures' | 'passed'>;

/**
 * The detection bar of issue 17 (item 6), defined once: a run's `passed` and `failures`
 * (evaluateFindings, `distillguard eval`) are its misses of these items, and `npm run eval` and
 * CI's gate judge every run with the same items (src/evaluate, docs/evaluation.md). `ci` marks
 * the items CI's gate enforces today; the others are printed as "not yet met" until they hold,
 * then move into the gate.
 */
export const DETECTION_BAR = {
  /** Attacker accounts at review or above, in every run. */
  attackerRecall: 0.97,
  /** Each campaign's accounts at review or above, in every run. */
  campaignRecall: 0.9,
  /** A campaign of at least `clusterMinAccounts` accounts is recovered as one cluster this precise and complete. */
  clusterPrecision: 0.9,
  clusterRecall: 0.9,
  clusterMinAccounts: 3,
  /** Ordinary benign accounts (not the hard cases) at review or above. */
  benignFpr: 0.001,
  /** The hydra campaign's accounts at act, in every run. */
  hydraActShare: 0.9,
  hydraCampaign: 'hydra',
  /**
   * Campaigns detection does not yet hold on every seed: low-rate-coordinated (new) and
   * mixed-account (its blend is drawn from 10-30 % since the simulator draws parameters; since
   * the blended-slice rule it holds on the 22 + 8 seeds of docs/evaluation.md, but a light account
   * with only one self-controlled line, as on the seed-tasks corpus run, stays at monitor). The
   * full bar judges them like any other; CI's gate judges the recall items without them and
   * prints their misses under `new-campaign-recall` as not yet met. A campaign leaves this list
   * once it holds on every seed.
   */
  provisionalCampaigns: ['low-rate-coordinated', 'mixed-account'] as readonly string[],
} as const;

export type BarItemId =
  | 'attackers-review'
  | 'established-attackers-review'
  | 'campaign-recall'
  | 'new-campaign-recall'
  | 'campaign-cluster'
  | 'benign-fpr'
  | 'no-trap-act'
  | 'hydra-act';

export interface BarItem {
  id: BarItemId;
  text: string;
  /** Enforced by CI's gate (`--bar ci`); the rest are reported there, not enforced. */
  ci: boolean;
  /** What one run misses of this item (empty when it holds). */
  misses(e: Scored): string[];
}

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)} %`;
const B = DETECTION_BAR;
const provisional = (c: { campaign: string }): boolean => B.provisionalCampaigns.includes(c.campaign);

/** Attacker recall over the campaigns that are not provisional. */
function establishedRecall(e: Scored): number {
  const est = e.campaigns.filter((c) => !provisional(c));
  const accounts = est.reduce((n, c) => n + c.accounts, 0);
  return accounts ? est.reduce((n, c) => n + c.flagged, 0) / accounts : 1;
}

const recallMisses = (e: Scored, keep: (c: { campaign: string }) => boolean): string[] =>
  e.campaigns
    .filter((c) => keep(c) && c.recall < B.campaignRecall)
    .map((c) => `${c.campaign} ${pct(c.recall)} at review+`);

export const BAR_ITEMS: readonly BarItem[] = [
  {
    id: 'attackers-review',
    text: `attackers at review or above ≥ ${pct(B.attackerRecall, 0)} in every run`,
    ci: false,
    misses: (e) =>
      e.attackerRecall < B.attackerRecall ? [`attackers at review+ ${pct(e.attackerRecall)}`] : [],
  },
  {
    id: 'established-attackers-review',
    text: `attackers of the established campaigns (all but ${B.provisionalCampaigns.join(', ')}) at review or above ≥ ${pct(B.attackerRecall, 0)}`,
    ci: true,
    misses: (e) => {
      const r = establishedRecall(e);
      return r < B.attackerRecall ? [`established attackers at review+ ${pct(r)}`] : [];
    },
  },
  {
    id: 'campaign-recall',
    text: `every established campaign ≥ ${pct(B.campaignRecall, 0)} of its accounts at review or above`,
    ci: true,
    misses: (e) => recallMisses(e, (c) => !provisional(c)),
  },
  {
    id: 'new-campaign-recall',
    text: `every provisional campaign (${B.provisionalCampaigns.join(', ')}) ≥ ${pct(B.campaignRecall, 0)} of its accounts at review or above`,
    ci: false,
    misses: (e) => recallMisses(e, provisional),
  },
  {
    id: 'campaign-cluster',
    text: `every campaign of ${B.clusterMinAccounts}+ accounts recovered as one cluster, precision and recall ≥ ${B.clusterPrecision}`,
    ci: false,
    misses: (e) =>
      e.campaigns
        .filter((c) => c.accounts >= B.clusterMinAccounts)
        .flatMap((c) =>
          !c.cluster
            ? [`${c.campaign} not recovered as a cluster`]
            : c.cluster.precision < B.clusterPrecision || c.cluster.recall < B.clusterRecall
              ? [
                  `${c.campaign} cluster precision ${c.cluster.precision.toFixed(2)} recall ${c.cluster.recall.toFixed(2)}`,
                ]
              : [],
        ),
  },
  {
    id: 'benign-fpr',
    text: `ordinary benign accounts at review or above ≤ ${pct(B.benignFpr)}`,
    ci: true,
    misses: (e) =>
      e.benignFpr > B.benignFpr
        ? [`benign at review+ ${pct(e.benignFpr, 2)} (${e.benignFlagged}/${e.benign})`]
        : [],
  },
  {
    id: 'no-trap-act',
    text: 'no legitimate hard case (trap) at act',
    ci: true,
    misses: (e) =>
      Object.entries(e.trapKinds)
        .filter(([, k]) => k.atAct > 0)
        .map(([kind, k]) => `${kind}: ${k.atAct} of ${k.accounts} at act`),
  },
  {
    id: 'hydra-act',
    text: `≥ ${pct(B.hydraActShare, 0)} of the hydra campaign's accounts at act`,
    ci: false,
    misses: (e) =>
      e.campaigns
        .filter((c) => c.campaign === B.hydraCampaign && c.atAct / c.accounts < B.hydraActShare)
        .map((c) => `hydra ${pct(c.atAct / c.accounts)} at act (${c.atAct}/${c.accounts})`),
  },
];

/** What one run misses of the whole bar, item by item in `BAR_ITEMS` order. */
export const runMisses = (e: Scored): string[] => BAR_ITEMS.flatMap((i) => i.misses(e));
