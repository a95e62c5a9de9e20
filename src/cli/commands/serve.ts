import type { Command } from 'commander';
import { addTopologyFlags, topologyFromFlags } from './scale-flags.js';
import { DetectConfig, readEnv, ServeConfig, UserError } from '../../contracts/index.js';
import type { RunningService } from '../../server/index.js';
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
    const canarySecret = flags.canarySecret ?? readEnv('DISTILLGUARD_CANARY_SECRET');
    if (canarySecret !== undefined && canarySecret.length < 8)
      throw new UserError('INVALID_ARGUMENT', 'the canary secret must be at least 8 characters');
    if (flags.canaryRegistry) checkOutputFile('--canary-registry', flags.canaryRegistry);
    const canaryBanks = flags.canaryBanks
      ? (await import('../../respond/index.js')).readCanaryBanks(flags.canaryBanks)
      : undefined;
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
        guardrailCanaries: canarySecret
          ? {
              secret: canarySecret,
              rate: flags.canaryRate,
              ...(flags.canaryRegistry ? { registry: flags.canaryRegistry } : {}),
              ...(canaryBanks ? { banks: canaryBanks } : {}),
              recordPrompts: flags.canaryPrompts,
            }
          : undefined,
        ...(flags.webhookAllowPrivate
          ? { webhookOptions: { allowPrivate: cidrList(flags.webhookAllowPrivate) } }
          : {}),
      }),
    );
    let metricsUrl: string | null = null;
    if (flags.metricsPort !== undefined) {
      const port = flags.metricsPort;
      const host = flags.metricsHost;
      try {
        const m = await listenOrExplain(
          { host, port, portFlag: '--metrics-port', hostFlag: '--metrics-host' },
          () => service.serveMetrics(port, host),
        );
        metricsUrl = `http://${host.includes(':') ? `[${host}]` : host}:${m.port}/metrics`;
      } catch (err) {
        await service.close();
        throw err;
      }
    }
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
