import type { Command } from 'commander';
import { SimulateConfig } from '../../contracts/index.js';
import type { CorpusFile } from '../../sim/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputDir } from '../output-paths.js';

export function registerSimulate(program: Command): void {
  const simulateCmd = program
    .command('simulate')
    .description(
      'write labelled synthetic traffic (traffic.ndjson), accounts (accounts.ndjson) and ground truth (truth.json)',
    )
    .action(async (raw: Flags) => {
      const { simulate } = await import('../../sim/index.js');
      const flags = configFromFlags(SimulateConfig, raw);
      checkOutputDir('--out', flags.out);
      const corpus: CorpusFile[] = [
        ...flags.corpus.map((path) => ({ path, role: 'auto' as const })),
        ...flags.benignCorpus.map((path) => ({ path, role: 'benign' as const })),
        ...flags.attackerCorpus.map((path) => ({ path, role: 'attacker' as const })),
      ];
      const summary = await simulate({
        scale: flags.scale,
        seed: flags.seed,
        out: flags.out,
        gzip: flags.gzip,
        corpus,
        ...(flags.actorSeed !== undefined ? { actorSeed: flags.actorSeed } : {}),
        ...(flags.accountPrefix !== undefined ? { accountPrefix: flags.accountPrefix } : {}),
        ...(flags.days !== undefined ? { days: flags.days } : {}),
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
  addConfigFlags(simulateCmd, SimulateConfig);
}
