import type { Command } from 'commander';
import type { z } from 'zod';
import { addTopologyFlags, topologyFromFlags } from './scale-flags.js';
import { DetectConfig, readEnv, ServeConfig, UserError } from '../../contracts/index.js';
import type { RunningService, StartServiceOptions } from '../../server/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { listenOrExplain } from '../listen.js';
import { checkOutputDir, checkOutputFile } from '../output-paths.js';

function cidrList(value: string): string[] {
  const list = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (list.length === 0)
    throw new UserError('INVALID_ARGUMENT', '--webhook-allow-private needs at least one IP or CIDR');
  return list;
}

/** Stops the service cleanly on SIGINT/SIGTERM. */
export function closeOnSignals(service: RunningService): void {
  const stop = () =>
    void service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

type ServeFlags = z.infer<typeof ServeConfig>;

/** The guardrail canaries, when a secret is given (flag or environment); checked before serving. */
async function canarySettings(flags: ServeFlags): Promise<StartServiceOptions['guardrailCanaries']> {
  const secret = flags.canarySecret ?? readEnv('DISTILLGUARD_CANARY_SECRET');
  if (secret !== undefined && secret.length < 8)
    throw new UserError('INVALID_ARGUMENT', 'the canary secret must be at least 8 characters');
  if (flags.canaryRegistry) checkOutputFile('--canary-registry', flags.canaryRegistry);
  const banks = flags.canaryBanks
    ? (await import('../../respond/index.js')).readCanaryBanks(flags.canaryBanks)
    : undefined;
  return secret
    ? {
        secret,
        rate: flags.canaryRate,
        ...(flags.canaryRegistry ? { registry: flags.canaryRegistry } : {}),
        ...(banks ? { banks } : {}),
        recordPrompts: flags.canaryPrompts,
      }
    : undefined;
}

/** Serves /metrics on its own port; the service is closed if it cannot listen. Returns the URL. */
async function serveMetrics(service: RunningService, port: number, host: string): Promise<string> {
  try {
    const m = await listenOrExplain(
      { host, port, portFlag: '--metrics-port', hostFlag: '--metrics-host' },
      () => service.serveMetrics(port, host),
    );
    return `http://${host.includes(':') ? `[${host}]` : host}:${m.port}/metrics`;
  } catch (err) {
    await service.close();
    throw err;
  }
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('run the API server and dashboard: ingest, live detection, cases, decisions, webhooks');
  addConfigFlags(cmd, ServeConfig);
  // The same topology flags as `ingest --nats`, `gateway --nats` and `worker`, and the same
  // detection flags as `analyze`, each from one typed config.
  addTopologyFlags(cmd);
  addConfigFlags(cmd, DetectConfig, { configFile: true }).action(async (raw: Flags) => {
    const { startService } = await import('../../server/index.js');
    const flags = configFromFlags(ServeConfig, raw);
    const config = configFromFlags(DetectConfig, raw, { cmd, file: raw.config });
    const databaseUrl = flags.databaseUrl ?? readEnv('DISTILLGUARD_DATABASE_URL');
    // The SQLite store lives in --data-dir only when no database URL is given.
    if (!databaseUrl) checkOutputDir('--data-dir', flags.dataDir);
    const guardrailCanaries = await canarySettings(flags);
    const service = await listenOrExplain({ host: flags.host, port: flags.port }, () =>
      startService({
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        databaseUrl,
        policyPath: flags.policy,
        demo: flags.demo,
        adminKey: readEnv('DISTILLGUARD_ADMIN_KEY'),
        config,
        ...(flags.nats ? { nats: flags.nats, natsTopology: topologyFromFlags(raw) } : {}),
        ...(flags.rateLimit ? { limits: { ratePerMinute: flags.rateLimit } } : {}),
        guardrails: {
          fail: flags.guardrailFail,
          accountKey: flags.guardrailAccountKey,
          accountHeader: flags.guardrailAccountHeader,
          bodyBytes: flags.guardrailBodyBytes,
        },
        guardrailCanaries,
        ...(flags.webhookAllowPrivate
          ? { webhookOptions: { allowPrivate: cidrList(flags.webhookAllowPrivate) } }
          : {}),
      }),
    );
    const metricsUrl =
      flags.metricsPort === undefined
        ? null
        : await serveMetrics(service, flags.metricsPort, flags.metricsHost);
    closeOnSignals(service);
    process.stdout.write(`DistillGuard listening on ${service.url}\n`);
    process.stdout.write(`  dashboard: ${service.url}/   API: ${service.url}/openapi.json\n`);
    if (metricsUrl) process.stdout.write(`  metrics (no API key): ${metricsUrl} and /healthz\n`);
    if (service.createdKey)
      process.stdout.write(`  admin API key (shown once, stored hashed): ${service.createdKey}\n`);
    const replayed = await service.ready;
    process.stdout.write(
      `  detection rebuilt from the store: ${replayed.events} events, ${replayed.accounts} account records\n`,
    );
  });
}
