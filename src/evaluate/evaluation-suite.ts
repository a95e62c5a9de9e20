import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Truth, type DetectConfigInput, type Findings } from '../contracts/index.js';
import {
  DetectionEngine,
  evaluateFindings,
  type Evaluation,
  type PartitionState,
} from '../findings/index.js';
import { simulate, type CorpusFile, type Scale } from '../sim/index.js';
import { analyzeFiles } from '../pipeline/index.js';
import {
  ABLATION_ITEMS,
  ablationTable,
  campaignCarriers,
  outcomeOf,
  type AblationRow,
  type AblationRun,
  type CampaignCarriers,
} from './ablation.js';
import { judgeBar, type BarVerdict } from './bar-verdict.js';
import {
  leaveOneOut,
  sameChoice,
  THRESHOLD_GRID,
  type CorpusTrial,
  type LeaveOneOutRow,
} from './leave-one-out.js';
import { summariseGroup, type GroupSummary } from './suite-summary.js';

export interface SuiteRun {
  name: string;
  /** small, medium or large for seeded runs; `corpora` for the runs on real text. */
  group: string;
  scale: Scale;
  seed: number;
  corpus: string[];
  events: number;
  seconds: number;
  evaluation: Evaluation;
  carriers: CampaignCarriers[];
}

export interface SuiteOptions {
  scales: Scale[];
  /** Seeds per scale; a scale in `scales` without its own list gets none. */
  seeds: Partial<Record<Scale, number[]>>;
  /** Folder of real corpora (shared/corpora); each file gets a run, plus one with all of them. */
  corporaDir?: string | null;
  /** Seed of the corpus runs (one run per corpus). */
  corpusSeed?: number;
  config?: DetectConfigInput;
  /** Choose thresholds on two corpora, report the third (needs two or more corpus files). */
  leaveOneOut?: boolean;
  /** How many of the first small-scale seeded runs are re-analysed with each detector and link type off. */
  ablationRuns?: number;
  /** What ablation switches off, one at a time (default: every detector and link type). */
  ablationItems?: readonly { off: string; kind: 'detector' | 'link' }[];
  onRun?: (run: SuiteRun) => void;
  onProgress?: (line: string) => void;
}

export interface SuiteResult {
  started: string;
  seconds: number;
  /** Load average (1, 5, 15 min) when the suite started and ended: timings depend on it. */
  load: { start: number[]; end: number[] };
  runs: SuiteRun[];
  groups: GroupSummary[];
  bar: BarVerdict[];
  leaveOneOut: {
    rows: LeaveOneOutRow[];
    trials: { corpus: string; run: string; targetFpr: number; actStrength: number; evaluation: Evaluation }[];
  };
  ablation: { runs: string[]; rows: AblationRow[]; detail: AblationRun[] } | null;
}

interface Plan {
  name: string;
  group: string;
  scale: Scale;
  seed: number;
  corpus: CorpusFile[];
  /** Leave-one-out trials: this run's single corpus. */
  trialCorpus?: string;
  ablation?: boolean;
}

async function plansOf(opts: SuiteOptions): Promise<Plan[]> {
  const plans: Plan[] = [];
  let ablations = opts.ablationRuns ?? 0;
  for (const scale of opts.scales)
    for (const seed of opts.seeds[scale] ?? [])
      plans.push({
        name: `${scale}/seed ${seed}`,
        group: scale,
        scale,
        seed,
        corpus: [],
        ablation: scale === 'small' && ablations-- > 0,
      });
  const dir = opts.corporaDir ?? null;
  if (dir && existsSync(dir)) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
    const all = files.map((f): CorpusFile => ({ path: join(dir, f), role: 'auto' }));
    const seed = opts.corpusSeed ?? 11;
    const loo = (opts.leaveOneOut ?? false) && all.length >= 2;
    for (const f of all) {
      const name = basename(f.path);
      plans.push({
        name: `small/corpus ${name}`,
        group: 'corpora',
        scale: 'small',
        seed,
        corpus: [f],
        ...(loo ? { trialCorpus: name } : {}),
      });
    }
    if (all.length > 1)
      plans.push({
        name: 'small/all corpora',
        group: 'corpora',
        scale: 'small',
        seed: seed + 1,
        corpus: all,
      });
  }
  return plans;
}

/** The engine's state re-analysed under other settings: the features are read once per run. */
function reanalyse(state: PartitionState, config: DetectConfigInput): Findings {
  const engine = new DetectionEngine(config);
  engine.importState(state.state, state.kernels);
  return engine.analyze().findings;
}

/** One analysed run: its engine state and settings, its evaluation and the truth it was scored on. */
interface ScoredRun {
  state: PartitionState;
  base: DetectionEngine['config'];
  config: DetectConfigInput;
  evaluation: Evaluation;
  truth: Truth;
}

/** The run evaluated at every threshold setting of the grid (for choosing thresholds leaving one corpus out). */
function thresholdTrials(corpus: string, run: string, r: ScoredRun): CorpusTrial[] {
  return THRESHOLD_GRID.map((choice) => {
    const same = sameChoice(choice, r.base);
    const e = same ? r.evaluation : evaluateFindings(reanalyse(r.state, { ...r.config, ...choice }), r.truth);
    return { corpus, run, choice, evaluation: e };
  });
}

/** Each campaign's outcome with every detector and link type, and without each of `items` in turn. */
function ablate(run: string, r: ScoredRun, items: NonNullable<SuiteOptions['ablationItems']>): AblationRun {
  const outcomes = (e: Evaluation): AblationRun['base'] =>
    Object.fromEntries(e.campaigns.map((c) => [c.campaign, outcomeOf(c)]));
  const entry: AblationRun = { run, base: outcomes(r.evaluation), without: [] };
  for (const item of items) {
    const findings = reanalyse(r.state, { ...r.config, disable: [...(r.base.disable ?? []), item.off] });
    entry.without.push({ ...item, campaigns: outcomes(evaluateFindings(findings, r.truth)) });
  }
  return entry;
}

/**
 * Simulate, analyse and score against truth, with the same thresholds for every run; then
 * summarise per group, judge the bar, choose thresholds leaving one corpus out, and ablate.
 */
export async function runEvaluationSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const started = new Date();
  const loadStart = loadavg();
  const config = opts.config ?? {};
  const runs: SuiteRun[] = [];
  const trials: CorpusTrial[] = [];
  const ablation: AblationRun[] = [];
  for (const plan of await plansOf(opts)) {
    const out = await mkdtemp(join(tmpdir(), 'distillguard-eval-'));
    try {
      const summary = await simulate({
        scale: plan.scale,
        seed: plan.seed,
        out,
        gzip: false,
        corpus: plan.corpus,
      });
      const t0 = Date.now();
      const { detail, engine } = await analyzeFiles([summary.files.traffic], {
        accounts: [summary.files.accounts],
        config,
      });
      const seconds = (Date.now() - t0) / 1000;
      const truth = Truth.parse(JSON.parse(await readFile(summary.files.truth, 'utf8')));
      const evaluation = evaluateFindings(detail.findings, truth);
      const run: SuiteRun = {
        name: plan.name,
        group: plan.group,
        scale: plan.scale,
        seed: plan.seed,
        corpus: plan.corpus.map((c) => c.path),
        events: detail.findings.input.events,
        seconds,
        evaluation,
        carriers: campaignCarriers(detail.findings, truth, evaluation),
      };
      runs.push(run);
      opts.onRun?.(run);
      if (!plan.trialCorpus && !plan.ablation) continue;
      const state = engine.exportPartition();
      const base = engine.config;
      if (plan.trialCorpus) {
        const scored = { state, base, config, evaluation, truth };
        trials.push(...thresholdTrials(plan.trialCorpus, plan.name, scored));
        opts.onProgress?.(
          `  leave-one-out: ${plan.name} analysed at ${THRESHOLD_GRID.length} threshold settings`,
        );
      }
      if (plan.ablation) {
        const scored = { state, base, config, evaluation, truth };
        ablation.push(ablate(plan.name, scored, opts.ablationItems ?? ABLATION_ITEMS));
        opts.onProgress?.(
          `  ablation: ${plan.name} analysed without each of ${(opts.ablationItems ?? ABLATION_ITEMS).length} detectors and link types`,
        );
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  return suiteResult(started, loadStart, runs, trials, ablation);
}

/** The suite's result: per-group summaries, the bar's verdict, leave-one-out rows and the ablation table. */
function suiteResult(
  started: Date,
  loadStart: number[],
  runs: SuiteRun[],
  trials: CorpusTrial[],
  ablation: AblationRun[],
): SuiteResult {
  const groups = [...new Set(runs.map((r) => r.group))].map((g) =>
    summariseGroup(
      g,
      runs.filter((r) => r.group === g),
    ),
  );
  const ablationRuns = new Set(ablation.map((a) => a.run));
  return {
    started: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    load: { start: loadStart.map(round2), end: loadavg().map(round2) },
    runs,
    groups,
    bar: judgeBar(runs),
    leaveOneOut: {
      rows: leaveOneOut(trials),
      trials: trials.map((t) => ({ corpus: t.corpus, run: t.run, ...t.choice, evaluation: t.evaluation })),
    },
    ablation: ablation.length
      ? {
          runs: [...ablationRuns],
          rows: ablationTable(
            ablation,
            runs.filter((r) => ablationRuns.has(r.name)).map((r) => r.carriers),
          ),
          detail: ablation,
        }
      : null,
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
