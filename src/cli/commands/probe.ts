import type { Command } from 'commander';
import { ProbeConfig, readEnv, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputDir } from '../output-paths.js';

export function registerProbe(program: Command): void {
  const probe = program
    .command('probe')
    .description('ask a suspect model for the canaries the gateway served and test whether they came back')
    .action(async (raw: Flags) => {
      const { formatProbeSummary, readCanaryBanks, runProbeToFiles } = await import('../../respond/index.js');
      const f = configFromFlags(ProbeConfig, raw);
      const secret = f.canarySecret ?? readEnv('DISTILLGUARD_CANARY_SECRET');
      if (!secret) {
        throw new UserError(
          'INVALID_ARGUMENT',
          'pass --canary-secret (or set DISTILLGUARD_CANARY_SECRET) with the gateway secret',
        );
      }
      checkOutputDir('--out', f.out);
      const banks = f.canaryBanks ? readCanaryBanks(f.canaryBanks) : undefined;
      const apiKey = f.apiKey ?? readEnv('DISTILLGUARD_PROBE_API_KEY');
      const result = await runProbeToFiles({
        target: { url: f.target, model: f.model, ...(apiKey ? { apiKey } : {}) },
        registryPath: f.registry,
        secret,
        ...(banks ? { banks } : {}),
        ...(f.prompts ? { promptsPath: f.prompts } : {}),
        controls: f.controls,
        promptsPerCanary: f.promptsPerCanary,
        alpha: f.alpha,
        concurrency: f.concurrency,
        outDir: f.out,
      });
      process.stdout.write(
        f.json ? `${JSON.stringify(result.report, null, 2)}\n` : `${formatProbeSummary(result)}\n`,
      );
    });
  addConfigFlags(probe, ProbeConfig);
}
