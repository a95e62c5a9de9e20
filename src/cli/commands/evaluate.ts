import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EvalConfig, Findings, Truth, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { evaluateFindings, formatEvaluation } from '../../findings/index.js';
import { readUserJson } from '../../ingest/index.js';
import { compareEmbedders, formatEmbedderComparison, runEvaluationSuite } from '../../evaluate/index.js';
import type { Scale } from '../../sim/index.js';

function readJson<T>(
  path: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  what: string,
): T {
  const r = schema.safeParse(readUserJson(path, `${what} file`, 'check the path'));
  if (!r.success)
    throw new UserError('INVALID_INPUT', `${path} is not a ${what} file (expected the ${what} format)`);
  return r.data;
}

export function registerEval(program: Command): void {
  const evalCmd = program
    .command('eval')
    .description('score findings against a simulator truth file')
    .action((raw: Flags) => {
      const flags = configFromFlags(EvalConfig, raw);
      const truth = readJson(flags.truth, Truth, 'truth');
      const findings = readJson(flags.findings, Findings, 'findings.v1');
      const e = evaluateFindings(findings, truth);
      process.stdout.write(`${formatEvaluation(e)}\n`);
      if (!e.passed) process.exitCode = 1;
    });
  addConfigFlags(evalCmd, EvalConfig);

  program
    .command('eval-suite')
    .description(
      'simulate, analyse and score several runs (scales x seeds, plus shared corpora) with the same thresholds',
    )
    .option('--scales <list>', 'comma-separated scales', 'small,medium')
    .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
    .option(
      '--corpora <dir>',
      'folder of real prompt corpora to run too (npm run eval passes ../shared/corpora)',
    )
    .option('--no-corpora', 'skip the corpus runs')
    .action(async (flags: { scales: string; seeds: string; corpora: string | boolean }) => {
      const scales = flags.scales.split(',').map((s) => s.trim()) as Scale[];
      for (const s of scales)
        if (!['small', 'medium', 'large'].includes(s))
          throw new UserError(
            'INVALID_ARGUMENT',
            `--scales: unknown scale "${s}"; use small, medium or large`,
          );
      const seeds = flags.seeds.split(',').map(Number);
      if (seeds.some((s) => !Number.isInteger(s)))
        throw new UserError('INVALID_ARGUMENT', '--seeds must be comma-separated integers');
      const corporaDir = typeof flags.corpora === 'string' ? flags.corpora : null;
      const runs = await runEvaluationSuite({
        scales,
        seeds,
        corporaDir,
        onRun: (r) => {
          const e = r.evaluation;
          const camp = e.campaigns
            .map(
              (c) =>
                `${c.campaign} ${Math.round(c.recall * 100)}% (act ${Math.round(c.actShare * 100)}%)${c.cluster && c.accounts >= 3 ? ` (cluster p ${c.cluster.precision.toFixed(2)} r ${c.cluster.recall.toFixed(2)})` : ''}`,
            )
            .join(', ');
          process.stdout.write(
            `${e.passed ? 'PASS' : 'FAIL'} ${r.name}: ${r.events} events in ${r.seconds.toFixed(1)} s; attackers ${(e.attackerRecall * 100).toFixed(1)} % at review+; benign ${(e.benignFpr * 100).toFixed(3)} % (${e.benignFlagged}/${e.benign}); traps ${Object.entries(
              e.traps,
            )
              .map(([k, v]) => `${k.replace('trap:', '')}=${v}`)
              .join(' ')}; ${camp}${e.passed ? '' : `\n     ${e.failures.join('\n     ')}`}\n`,
          );
        },
      });
      const failed = runs.filter((r) => !r.evaluation.passed).length;
      if (corporaDir && existsSync(join(corporaDir, 'distill-alpaca-5000.jsonl')))
        process.stdout.write(`${formatEmbedderComparison(await compareEmbedders(corporaDir))}\n`);
      process.stdout.write(`${runs.length - failed} passed, ${failed} failed\n`);
      if (failed) process.exitCode = 1;
    });
}
