import type { Command } from 'commander';
import { GatewaySettings, readEnv } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { listenOrExplain } from '../listen.js';
import { checkOutputFile } from '../output-paths.js';
import { addTopologyFlags, topologyFromFlags } from './scale-flags.js';

/** Seconds on the command line, whole milliseconds inside (checked by startGateway). */
const ms = (seconds: number): number => Math.round(seconds * 1000);

export function registerGateway(program: Command): void {
  const cmd = program
    .command('gateway')
    .description(
      'OpenAI-compatible reverse proxy: records exchanges, enforces decisions, embeds canaries (docs/gateway.md)',
    );
  addConfigFlags(cmd, GatewaySettings);
  // The same topology flags as `ingest --nats`, `serve --nats` and `worker`, from one typed config.
  addTopologyFlags(cmd).action(async (raw: Flags) => {
    // Loaded when the command runs, not with the CLI: the gateway's process then holds only its
    // own modules (a smaller heap for every major GC to mark; docs/performance.md).
    const [{ destination, pino }, { startGateway }, { readCanaryBanks }] = await Promise.all([
      import('pino'),
      import('../../gateway/index.js'),
      import('../../respond/index.js'),
    ]);
    const f = configFromFlags(GatewaySettings, raw);
    if (f.eventsOut) checkOutputFile('--events-out', f.eventsOut);
    checkOutputFile('--spool', f.spool);
    checkOutputFile('--canary-registry', f.canaryRegistry);
    const canaryBanks = f.canaryBanks ? readCanaryBanks(f.canaryBanks) : undefined;
    const log = pino({ name: 'distillguard-gateway' }, destination(2));
    const running = await listenOrExplain({ host: f.host, port: f.port }, () =>
      startGateway({
        upstream: f.upstream,
        port: f.port,
        host: f.host,
        server: f.server,
        serverKey: f.serverKey ?? readEnv('DISTILLGUARD_API_KEY'),
        decisionsFile: f.decisions,
        keysFile: f.keys,
        trustAccountHeader: f.trustAccountHeader,
        trustForwardedFor: f.trustForwardedFor,
        ...(f.nats ? { nats: f.nats, natsTopology: topologyFromFlags(raw) } : {}),
        eventsOut: f.eventsOut,
        spool: f.spool,
        canarySecret: f.canarySecret ?? readEnv('DISTILLGUARD_CANARY_SECRET'),
        canaryRegistry: f.canaryRegistry,
        ...(canaryBanks ? { canaryBanks } : {}),
        canaryRate: f.canaryRate,
        canaryRecordPrompts: f.canaryPrompts,
        decisionTtlMs: ms(f.decisionTtl),
        degradeMaxTokens: f.degradeMaxTokens,
        throttlePerMinute: f.throttleRpm,
        verificationUrl: f.verificationUrl,
        upstreamConnections: f.upstreamConnections,
        upstreamQueue: f.upstreamQueue,
        upstreamQueueWaitMs: ms(f.upstreamQueueWait),
        upstreamConnectTimeoutMs: ms(f.upstreamConnectTimeout),
        upstreamHeadersTimeoutMs: ms(f.upstreamHeadersTimeout),
        upstreamIdleTimeoutMs: ms(f.upstreamIdleTimeout),
        log,
      }),
    );
    process.stdout.write(`gateway listening on ${running.url} -> ${f.upstream}\n`);
    const stop = (): void => {
      process.stdout.write('gateway stopping: finishing requests and flushing events\n');
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
