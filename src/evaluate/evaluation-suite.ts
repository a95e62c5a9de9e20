import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Truth, type DetectConfigInput } from '../contracts/index.js';
import { evaluateFindings, type Evaluation } from '../findings/index.js';
import { simulate, type CorpusFile, type Scale } from '../sim/index.js';
import { analyzeFiles } from '../pipeline/index.js';

export interface SuiteRun {
  name: string;
  scale: Scale;
  seed: number;
  corpus: string[];
  events: number;
  seconds: number;
  evaluation: Evaluation;
}

export interface SuiteOptions {
  scales: Scale[];
  seeds: number[];
  /** Folder of real corpora (shared/corpora); each file gets a run, plus one with all of them. */
  corporaDir?: string | null;
  config?: DetectConfigInput;
  onRun?: (run: SuiteRun) => void;
}

/** Simulate, analyse and score against truth, with the same thresholds for every run. */
export async function runEvaluationSuite(opts: SuiteOptions): Promise<SuiteRun[]> {
  const plans: { name: string; scale: Scale; seed: number; corpus: CorpusFile[] }[] = [];
  for (const scale of opts.scales)
    for (const seed of opts.seeds) plans.push({ name: `${scale}/seed ${seed}`, scale, seed, corpus: [] });
  const dir = opts.corporaDir ?? null;
  if (dir && existsSync(dir)) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
    const all = files.map((f): CorpusFile => ({ path: join(dir, f), role: 'auto' }));
    for (const f of all)
      plans.push({ name: `small/corpus ${f.path.split('/').pop()}`, scale: 'small', seed: 11, corpus: [f] });
    if (all.length > 1) plans.push({ name: 'small/all corpora', scale: 'small', seed: 12, corpus: all });
  }
  const runs: SuiteRun[] = [];
  for (const plan of plans) {
    const out = await mkdtemp(join(tmpdir(), 'distillguard-eval-'));
    try {
      const summary = await simulate({
        scale: plan.scale,
        seed: plan.seed,
        out,
        gzip: false,
        corpus: plan.corpus,
      });
      const started = Date.now();
      const { detail } = await analyzeFiles([summary.files.traffic], {
        accounts: [summary.files.accounts],
        config: opts.config,
      });
      const seconds = (Date.now() - started) / 1000;
      const truth = Truth.parse(JSON.parse(await readFile(summary.files.truth, 'utf8')));
      const run: SuiteRun = {
        name: plan.name,
        scale: plan.scale,
        seed: plan.seed,
        corpus: plan.corpus.map((c) => c.path),
        events: detail.findings.input.events,
        seconds,
        evaluation: evaluateFindings(detail.findings, truth),
      };
      runs.push(run);
      opts.onRun?.(run);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  return runs;
}
