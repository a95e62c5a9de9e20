import type { Command } from 'commander';
import { formatProbeSummary, runProbeToFiles } from '../../respond/index.js';
import { readEnv, UserError } from '../../contracts/index.js';
import { checkOutputDir } from '../output-paths.js';

interface ProbeFlags {
  target: string;
  model: string;
  apiKey?: string;
  registry: string;
  canarySecret?: string;
  prompts?: string;
  controls: string;
  promptsPerCanary: string;
  alpha: string;
  concurrency: string;
  out: string;
  json?: boolean;
}

const positive = (flag: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new UserError('INVALID_ARGUMENT', `${flag} must be a positive number, got "${v}"`);
  return n;
};

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('ask a suspect model for the canaries the gateway served and test whether they came back')
    .requiredOption('--target <url>', 'OpenAI-compatible API of the suspect model, e.g. http://host:8000/v1')
    .requiredOption('--model <name>', 'model name to ask for')
    .option('--api-key <key>', 'bearer key for the target; default $DISTILLGUARD_PROBE_API_KEY')
    .option('--registry <file>', 'canary registry the gateway wrote', 'gateway-canaries.ndjson')
    .option(
      '--canary-secret <secret>',
      'the gateway canary secret (draws the controls); default $DISTILLGUARD_CANARY_SECRET',
    )
    .option('--prompts <file>', 'extra prompts, one per line or NDJSON with a prompt field')
    .option('--controls <n>', 'control canaries (never served) to check', '64')
    .option('--prompts-per-canary <n>', 'served prompts asked again per canary', '2')
    .option('--alpha <p>', 'significance level for attribution', '0.01')
    .option('--concurrency <n>', 'parallel requests to the target', '4')
    .option('--out <dir>', 'where probe-report.json and probe-report.html go', '.')
    .option('--json', 'print the JSON report instead of the summary')
    .action(async (f: ProbeFlags) => {
      const secret = f.canarySecret ?? readEnv('DISTILLGUARD_CANARY_SECRET');
      if (!secret) {
        throw new UserError(
          'INVALID_ARGUMENT',
          'pass --canary-secret (or set DISTILLGUARD_CANARY_SECRET) with the gateway secret',
        );
      }
      checkOutputDir('--out', f.out);
      const apiKey = f.apiKey ?? readEnv('DISTILLGUARD_PROBE_API_KEY');
      const result = await runProbeToFiles({
        target: { url: f.target, model: f.model, ...(apiKey ? { apiKey } : {}) },
        registryPath: f.registry,
        secret,
        ...(f.prompts ? { promptsPath: f.prompts } : {}),
        controls: Math.round(positive('--controls', f.controls)),
        promptsPerCanary: Math.round(positive('--prompts-per-canary', f.promptsPerCanary)),
        alpha: positive('--alpha', f.alpha),
        concurrency: Math.round(positive('--concurrency', f.concurrency)),
        outDir: f.out,
      });
      process.stdout.write(
        f.json ? `${JSON.stringify(result.report, null, 2)}\n` : `${formatProbeSummary(result)}\n`,
      );
    });
}
