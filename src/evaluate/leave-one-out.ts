import { DETECTION_BAR, type Evaluation } from '../findings/index.js';

/**
 * The thresholds a person sets (DetectConfig): `targetFpr` puts review at −log10 of it on the
 * calibrated benign reference, `actStrength` is the combined evidence act needs. Calibration
 * turns these into strengths on each population; what a provider chooses is these two numbers.
 */
export interface ThresholdChoice {
  targetFpr: number;
  actStrength: number;
}

/** The candidates leave-one-out chooses among; the middle one is DetectConfig's default. */
export const THRESHOLD_GRID: readonly ThresholdChoice[] = [0.0003, 0.001, 0.003].flatMap((targetFpr) =>
  [8, 12, 16].map((actStrength) => ({ targetFpr, actStrength })),
);

export const sameChoice = (a: ThresholdChoice, b: ThresholdChoice): boolean =>
  a.targetFpr === b.targetFpr && a.actStrength === b.actStrength;

/** One corpus run analysed with one candidate. */
export interface CorpusTrial {
  corpus: string;
  run: string;
  choice: ThresholdChoice;
  evaluation: Evaluation;
}

/** How a candidate did on a set of runs, in the order the selection compares them. */
export interface TrialScore {
  /** Runs with ordinary benign at review+ above the bar, or a trap at act: a candidate with any is refused. */
  violations: number;
  attackerRecall: number;
  campaignRecall: number;
  hydraActShare: number;
}

export function scoreTrials(trials: readonly CorpusTrial[]): TrialScore {
  const min = (xs: number[]): number => (xs.length ? Math.min(...xs) : 1);
  return {
    violations: trials.filter(
      (t) =>
        t.evaluation.benignFpr > DETECTION_BAR.benignFpr ||
        Object.values(t.evaluation.trapKinds).some((k) => k.atAct > 0),
    ).length,
    attackerRecall: min(trials.map((t) => t.evaluation.attackerRecall)),
    campaignRecall: min(trials.flatMap((t) => t.evaluation.campaigns.map((c) => c.recall))),
    hydraActShare: min(
      trials.flatMap((t) =>
        t.evaluation.campaigns
          .filter((c) => c.campaign === DETECTION_BAR.hydraCampaign)
          .map((c) => c.atAct / c.accounts),
      ),
    ),
  };
}

/**
 * Chooses thresholds on the given trials only: fewest runs breaking the false-positive side of
 * the bar, then the worst run's attacker recall, the worst campaign's, the worst hydra share at
 * act; ties go to the stricter candidate (lower target rate, higher act evidence), since a
 * wrong act costs more than a missed light attacker.
 */
export function selectThresholds(trials: readonly CorpusTrial[]): {
  choice: ThresholdChoice;
  score: TrialScore;
  /** The runs the choice was made on. */
  used: string[];
} {
  const candidates = THRESHOLD_GRID.filter((c) => trials.some((t) => sameChoice(t.choice, c)));
  if (!candidates.length) throw new Error('no trials to select thresholds on');
  const scored = candidates.map((choice) => ({
    choice,
    score: scoreTrials(trials.filter((t) => sameChoice(t.choice, choice))),
  }));
  scored.sort(
    (a, b) =>
      a.score.violations - b.score.violations ||
      b.score.attackerRecall - a.score.attackerRecall ||
      b.score.campaignRecall - a.score.campaignRecall ||
      b.score.hydraActShare - a.score.hydraActShare ||
      a.choice.targetFpr - b.choice.targetFpr ||
      b.choice.actStrength - a.choice.actStrength,
  );
  const best = scored[0]!;
  return { ...best, used: [...new Set(trials.map((t) => t.run))].sort() };
}

export interface LeaveOneOutRow {
  heldOut: string;
  selectedOn: string[];
  /** The runs selection saw: never the held-out corpus's. */
  selectionRuns: string[];
  choice: ThresholdChoice;
  selection: TrialScore;
  /** The held-out corpus at the chosen thresholds. */
  heldOutScore: TrialScore;
  heldOutEvaluation: Evaluation;
  /** The held-out corpus at the thresholds it would have chosen for itself (the gap is overfitting). */
  ownChoice: ThresholdChoice;
  ownScore: TrialScore;
}

/** For each corpus: choose thresholds on the others' trials, report it at that choice. */
export function leaveOneOut(trials: readonly CorpusTrial[]): LeaveOneOutRow[] {
  const corpora = [...new Set(trials.map((t) => t.corpus))].sort();
  if (corpora.length < 2) return [];
  return corpora.map((heldOut) => {
    const selection = trials.filter((t) => t.corpus !== heldOut);
    const own = trials.filter((t) => t.corpus === heldOut);
    const chosen = selectThresholds(selection);
    const atChoice = own.filter((t) => sameChoice(t.choice, chosen.choice));
    const ownBest = selectThresholds(own);
    return {
      heldOut,
      selectedOn: corpora.filter((c) => c !== heldOut),
      selectionRuns: chosen.used,
      choice: chosen.choice,
      selection: chosen.score,
      heldOutScore: scoreTrials(atChoice),
      heldOutEvaluation: atChoice[0]!.evaluation,
      ownChoice: ownBest.choice,
      ownScore: ownBest.score,
    };
  });
}
