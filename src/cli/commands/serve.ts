import type { Command } from 'commander';
import { addTopologyFlags, natsUrl, topologyFromFlags, type TopologyFlags } from './scale-flags.js';
import { UserError } from '../../contracts/index.js';
import { startService, type RunningService } from '../../server/index.js';
import { listenOrExplain } from '../listen.js';
import { checkOutputDir } from '../output-paths.js';

interface ServeFlags extends TopologyFlags {
  host: string;
  port: string;
  dataDir: string;
  databaseUrl?: string;
  policy?: string;
  demo?: boolean;
  rateLimit?: string;
  nats?: string;
  webhookAllowPrivate?: string;
}

function cidrList(value: string): string[] {
  const list = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (list.length === 0)
    throw new UserError('INVALID_ARGUMENT', '--webhook-allow-private needs at least one IP or CIDR');
  return list;
}

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new UserError('INVALID_ARGUMENT', `--port must be 0..65535, got "${value}"`);
  return Number(value);
}

function perMinute(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1)
    throw new UserError('INVALID_ARGUMENT', `--rate-limit must be a positive whole number, got "${value}"`);
  return Number(value);
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
    .description('run the API server and dashboard: ingest, live detection, cases, decisions, webhooks')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8080')
    .option('--data-dir <dir>', 'directory of the SQLite store (when no database URL)', 'data')
    .option('--database-url <url>', 'postgres://… or sqlite:FILE (default: $DATABASE_URL)')
    .option('--policy <file>', 'response policy YAML (default: policy/default.yaml)')
    .option('--demo', 'create an admin key now and hand it to dashboards opened from this machine')
    .option('--rate-limit <n>', 'requests per minute per API key')
    .option('--nats <url>', 'also publish ingested events to NATS JetStream for scale-out workers')
    .option(
      '--webhook-allow-private <cidrs>',
      'comma-separated IPs/CIDRs webhooks may reach although loopback, private or link-local (in-house receivers; default none)',
    );
  // The same topology flags as `ingest --to`, `gateway --nats` and `worker`, from one typed config.
  addTopologyFlags(cmd).action(async (flags: ServeFlags) => {
    const listenPort = port(flags.port);
    // The SQLite store lives in --data-dir only when no database URL is given.
    if (!flags.databaseUrl && !process.env.DATABASE_URL) checkOutputDir('--data-dir', flags.dataDir);
    const service = await listenOrExplain({ host: flags.host, port: listenPort }, () =>
      startService({
        host: flags.host,
        port: listenPort,
        dataDir: flags.dataDir,
        databaseUrl: flags.databaseUrl,
        policyPath: flags.policy,
        demo: flags.demo === true,
        adminKey: process.env.DISTILLGUARD_ADMIN_KEY,
        ...(flags.nats
          ? { nats: natsUrl('--nats', flags.nats), natsTopology: topologyFromFlags(flags) }
          : {}),
        ...(flags.rateLimit ? { limits: { ratePerMinute: perMinute(flags.rateLimit) } } : {}),
        ...(flags.webhookAllowPrivate
          ? { webhookOptions: { allowPrivate: cidrList(flags.webhookAllowPrivate) } }
          : {}),
      }),
    );
    closeOnSignals(service);
    process.stdout.write(`DistillGuard listening on ${service.url}\n`);
    process.stdout.write(`  dashboard: ${service.url}/   API: ${service.url}/openapi.json\n`);
    if (service.createdKey)
      process.stdout.write(`  admin API key (shown once, stored hashed): ${service.createdKey}\n`);
    const replayed = await service.ready;
    process.stdout.write(
      `  detection rebuilt from the store: ${replayed.events} events, ${replayed.accounts} account records\n`,
    );
  });
}
