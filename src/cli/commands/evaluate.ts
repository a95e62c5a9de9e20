import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EvalConfig, EvalSuiteConfig, Findings, Truth, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';
import type { Scale } from '../../sim/index.js';

async function readJson<T>(
  path: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  what: string,
): Promise<T> {
  const { readUserJson } = await import('../../ingest/index.js');
  const r = schema.safeParse(readUserJson(path, `${what} file`, 'check the path'));
  if (!r.success)
    throw new UserError('INVALID_INPUT', `${path} is not a ${what} file (expected the ${what} format)`);
  return r.data;
}

export function registerEval(program: Command): void {
  const evalCmd = program
    .command('eval')
    .description(
      'score findings against a simulator truth file and judge the run by the detection bar (docs/evaluation.md)',
    )
    .action(async (raw: Flags) => {
      const { evaluateFindings, formatEvaluation } = await import('../../findings/index.js');
      const flags = configFromFlags(EvalConfig, raw);
      const truth = await readJson(flags.truth, Truth, 'truth');
      const findings = await readJson(flags.findings, Findings, 'findings.v1');
      const e = evaluateFindings(findings, truth);
      process.stdout.write(`${formatEvaluation(e)}\n`);
      if (!e.passed) process.exitCode = 1;
    });
  addConfigFlags(evalCmd, EvalConfig);

  const suiteCmd = program
    .command('eval-suite')
    .description(
      'simulate, analyse and score many runs with the same thresholds (seeds per scale, shared corpora), leave one corpus out, ablate, and judge the detection bar (docs/evaluation.md)',
    )
    .action(async (raw: Flags) => {
      const {
        barPassed,
        compareEmbedders,
        DETECTION_BAR,
        formatEmbedderComparison,
        formatRun,
        formatSuite,
        runEvaluationSuite,
        seedsFromCommit,
      } = await import('../../evaluate/index.js');
      const flags = configFromFlags(EvalSuiteConfig, raw);
      const list = (v: string | undefined): number[] => (v ? v.split(',').map((x) => Number(x.trim())) : []);
      const scales = [...new Set(flags.scales.split(',').map((s) => s.trim()))] as Scale[];
      const small = flags.commit ? seedsFromCommit(flags.commit, flags.commitSeeds) : list(flags.seeds);
      if (flags.commit)
        process.stdout.write(
          `seeds from commit ${flags.commit}: ${small.join(',')} (reproduce with --seeds ${small.join(',')})\n`,
        );
      if (flags.json) checkOutputFile('--json', flags.json);
      const corporaDir = typeof flags.corpora === 'string' ? flags.corpora : null;
      if (corporaDir && !existsSync(corporaDir))
        throw new UserError('FILE_NOT_FOUND', `--corpora: no folder ${corporaDir}; check the path`);
      const result = await runEvaluationSuite({
        scales,
        seeds: { small, medium: list(flags.mediumSeeds), large: list(flags.largeSeeds) },
        corporaDir,
        corpusSeed: flags.corpusSeed,
        leaveOneOut: flags.leaveOneOut,
        ablationRuns: flags.ablation,
        onRun: (r) => process.stdout.write(`${formatRun(r)}\n`),
        onProgress: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`${formatSuite(result, flags.bar)}\n`);
      if (corporaDir && existsSync(join(corporaDir, 'distill-alpaca-5000.jsonl')))
        process.stdout.write(`${formatEmbedderComparison(await compareEmbedders(corporaDir))}\n`);
      if (flags.json) {
        const { bar, ...rest } = result;
        const seeds = {
          small,
          medium: list(flags.mediumSeeds),
          large: list(flags.largeSeeds),
          commit: flags.commit ?? null,
        };
        const json = {
          format: 'distillguard.eval-suite.v1',
          bar: { thresholds: DETECTION_BAR, mode: flags.bar, items: bar },
          seeds,
          ...rest,
        };
        await writeFile(flags.json, `${JSON.stringify(json, null, 2)}\n`);
        process.stdout.write(`wrote ${flags.json}\n`);
      }
      if (!barPassed(result.bar, flags.bar)) process.exitCode = 1;
    });
  addConfigFlags(suiteCmd, EvalSuiteConfig);
}
