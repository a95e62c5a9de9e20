import { Option } from 'commander';
import type { Command } from 'commander';
import { UserError } from '../../contracts/index.js';
import { simulate, type CorpusFile, type Scale } from '../../sim/index.js';
import { checkOutputDir } from '../output-paths.js';

interface SimulateFlags {
  scale: Scale;
  seed: string;
  out: string;
  gzip?: boolean;
  corpus: string[];
  benignCorpus: string[];
  attackerCorpus: string[];
  actorSeed?: string;
  accountPrefix?: string;
  days?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new UserError('INVALID_ARGUMENT', `${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'write labelled synthetic traffic (traffic.ndjson), accounts (accounts.ndjson) and ground truth (truth.json)',
    )
    .addOption(
      new Option('--scale <scale>', 'population size').choices(['small', 'medium', 'large']).default('small'),
    )
    .option('--seed <n>', 'random seed; the same seed gives the same bytes', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--gzip', 'write traffic.ndjson.gz')
    .option(
      '--corpus <file>',
      'real prompt corpus (JSONL of {"turns"} or {"prompt","response"}); "distill" in the name or source feeds attackers (repeatable)',
      collect,
      [],
    )
    .option('--benign-corpus <file>', 'corpus whose texts feed ordinary users only (repeatable)', collect, [])
    .option(
      '--attacker-corpus <file>',
      'corpus whose prompts feed extraction campaigns only (repeatable)',
      collect,
      [],
    )
    .option(
      '--actor-seed <n>',
      "seed of the attackers' infrastructure and templates (default: --seed); share it to simulate one actor at two providers",
    )
    .option('--account-prefix <prefix>', 'prefix of account ids (default acct_)')
    .option('--days <n>', 'length of the simulated window in days (default 14)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SimulateFlags) => {
      checkOutputDir('--out', flags.out);
      const corpus: CorpusFile[] = [
        ...flags.corpus.map((path) => ({ path, role: 'auto' as const })),
        ...flags.benignCorpus.map((path) => ({ path, role: 'benign' as const })),
        ...flags.attackerCorpus.map((path) => ({ path, role: 'attacker' as const })),
      ];
      const summary = await simulate({
        scale: flags.scale,
        seed: integer('--seed', flags.seed),
        out: flags.out,
        gzip: flags.gzip ?? false,
        corpus,
        ...(flags.actorSeed !== undefined ? { actorSeed: integer('--actor-seed', flags.actorSeed) } : {}),
        ...(flags.accountPrefix !== undefined ? { accountPrefix: flags.accountPrefix } : {}),
        ...(flags.days !== undefined ? { days: integer('--days', flags.days) } : {}),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const lines = [
        `wrote ${summary.events.toLocaleString('en-US')} events (${summary.eventsByRole.attacker.toLocaleString('en-US')} attacker) from ${summary.accounts.toLocaleString('en-US')} accounts in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
        `window ${summary.period.from} .. ${summary.period.to} (new model released ${summary.period.release})`,
        ...Object.entries(summary.campaigns).map(([name, n]) => `  ${name.padEnd(24)} ${n} accounts`),
        `files: ${summary.files.traffic}, ${summary.files.accounts}, ${summary.files.truth}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
