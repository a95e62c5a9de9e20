/**
 * Every environment variable DistillGuard reads, under one prefix (`DISTILLGUARD_`), with the
 * names that worked before the prefix was unified. The old names still work for one release and
 * print a deprecation warning (README "Environment variables").
 */
export const ENV_VARS = {
  DISTILLGUARD_DATABASE_URL: {
    was: 'DATABASE_URL',
    help: 'store of serve, worker and hub: postgres://… or sqlite:FILE',
  },
  DISTILLGUARD_DB_SCHEMA: { help: 'PostgreSQL schema of the scale-out workers (default public)' },
  DISTILLGUARD_LOG_LEVEL: { was: 'LOG_LEVEL', help: 'log level of serve, demo and worker' },
  DISTILLGUARD_TEST_SCORING: {
    help: 'tests only: stall=MS blocks each worker scoring round; thread-exit ends the scoring thread',
  },
  DISTILLGUARD_ADMIN_KEY: { help: 'an admin API key serve installs (stored hashed)' },
  DISTILLGUARD_API_KEY: { help: 'API key of gateway --server' },
  DISTILLGUARD_CANARY_SECRET: { help: 'canary secret of gateway and probe' },
  DISTILLGUARD_PROBE_API_KEY: { was: 'PROBE_API_KEY', help: 'bearer key of probe --target' },
  DISTILLGUARD_HUB_API_KEY: { was: 'DG_HUB_API_KEY', help: 'member API key of intel push/pull/sightings' },
  DISTILLGUARD_HUB_PASSWORD: { was: 'DG_HUB_PASSWORD', help: 'member password of intel push/pull/sightings' },
} as const satisfies Record<`DISTILLGUARD_${string}`, { was?: string; help: string }>;
export type EnvVar = keyof typeof ENV_VARS;

const warned = new Set<string>();
// Through globalThis, so this file stays loadable in the browser (the dashboard bundles
// src/contracts): there is no process, and nothing here is called.
const proc = (globalThis as { process?: NodeJS.Process }).process;

/**
 * One line on stderr per old name and process. Written at once rather than by
 * process.emitWarning (next tick), so a command that fails right after still shows it.
 */
export function warnDeprecated(message: string): void {
  if (warned.has(message) || !proc || proc.noDeprecation) return;
  warned.add(message);
  proc.stderr.write(`warning: ${message}\n`);
}

/**
 * The value of one variable, or of its deprecated old name (with one warning per process).
 * Empty counts as unset, as shells and container specs often leave a variable empty to clear it.
 */
export function readEnv(name: EnvVar, env: NodeJS.ProcessEnv = proc?.env ?? {}): string | undefined {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  const was = (ENV_VARS[name] as { was?: string }).was;
  const old = was === undefined ? undefined : env[was];
  if (old === undefined || old === '') return undefined;
  warnDeprecated(`${was} is deprecated; set ${name} instead (the old name goes in the next release)`);
  return old;
}
