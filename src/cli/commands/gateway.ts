import type { Command } from 'commander';
import { destination, pino } from 'pino';
import { DEFAULT_UPSTREAM_LIMITS as UP, startGateway } from '../../gateway/index.js';
import { UserError } from '../../contracts/index.js';
import { listenOrExplain } from '../listen.js';
import { checkOutputFile } from '../output-paths.js';
import { addTopologyFlags, natsUrl, topologyFromFlags, type TopologyFlags } from './scale-flags.js';

interface GatewayFlags extends TopologyFlags {
  upstream: string;
  port: string;
  host: string;
  server?: string;
  serverKey?: string;
  decisions?: string;
  keys?: string;
  trustAccountHeader?: boolean;
  trustForwardedFor?: boolean;
  eventsOut?: string;
  nats?: string;
  spool: string;
  canarySecret?: string;
  canaryRegistry: string;
  canaryRate: string;
  canaryPrompts: boolean;
  decisionTtl: string;
  degradeMaxTokens: string;
  throttleRpm: string;
  verificationUrl?: string;
  upstreamConnections: string;
  upstreamQueue: string;
  upstreamQueueWait: string;
  upstreamConnectTimeout: string;
  upstreamHeadersTimeout: string;
  upstreamIdleTimeout: string;
}

const number = (flag: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError('INVALID_ARGUMENT', `${flag} must be a number, got "${v}"`);
  return n;
};

/** Seconds on the command line, whole milliseconds inside (checked by startGateway). */
const seconds = (flag: string, v: string): number => Math.round(number(flag, v) * 1000);

export function registerGateway(program: Command): void {
  const cmd = program
    .command('gateway')
    .description(
      'OpenAI-compatible reverse proxy: records exchanges, enforces decisions, embeds canaries (docs/gateway.md)',
    )
    .requiredOption('--upstream <url>', 'model API to forward to, e.g. https://api.openai.com')
    .requiredOption('--port <n>', 'port to listen on (0 picks a free one)')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option(
      '--server <url>',
      'DistillGuard server: decisions from GET /v1/decisions/:id, events to POST /v1/events',
    )
    .option(
      '--server-key <key>',
      'API key for --server (enforcement + ingest roles); default $DISTILLGUARD_API_KEY',
    )
    .option(
      '--decisions <file>',
      'static decisions (JSON/YAML list of {account_id, action, cluster_id?, watch?}) instead of the server',
    )
    .option('--keys <file>', 'API key hash -> account id map (JSON/YAML), see docs/gateway.md')
    .option(
      '--trust-account-header',
      'take the account from X-Account-Id (only behind an auth layer that sets it)',
    )
    .option(
      '--trust-forwarded-for',
      'take the client IP from X-Forwarded-For (only behind a proxy that sets it)',
    )
    .option(
      '--nats <url>',
      'publish recorded events to NATS JetStream (scale-out workers) instead of the server',
    )
    .option('--events-out <file>', 'append recorded events to this NDJSON file (when there is no --server)')
    .option(
      '--spool <file>',
      'local NDJSON spool for events the sink cannot take yet',
      'gateway-spool.ndjson',
    )
    .option(
      '--canary-secret <secret>',
      'key of the canary generator; default $DISTILLGUARD_CANARY_SECRET; no canaries without it',
    )
    .option('--canary-registry <file>', 'where served canaries are recorded', 'gateway-canaries.ndjson')
    .option('--canary-rate <r>', 'share of watched answers that carry a canary, in (0, 1]', '0.5')
    .option(
      '--no-canary-prompts',
      'keep customer prompts out of the canary registry (the probe then needs --prompts)',
    )
    .option('--decision-ttl <seconds>', 'how long a cached decision is fresh', '5')
    .option('--degrade-max-tokens <n>', 'output token cap for degraded accounts', '512')
    .option('--throttle-rpm <n>', 'requests per minute for throttled accounts without their own rate', '6')
    .option('--verification-url <url>', 'where step-up answers send customers to verify')
    .option(
      '--upstream-connections <n>',
      'connections to the upstream, and the most requests in flight to it',
      String(UP.connections),
    )
    .option(
      '--upstream-queue <n>',
      'requests that may wait for a free upstream connection; more get 503 gateway_overloaded',
      String(UP.queue),
    )
    .option(
      '--upstream-queue-wait <seconds>',
      'longest wait for a free upstream connection before 503 gateway_overloaded',
      String(UP.queueWaitMs / 1000),
    )
    .option(
      '--upstream-connect-timeout <seconds>',
      'time to connect to the upstream (then 504 upstream_timeout)',
      String(UP.connectTimeoutMs / 1000),
    )
    .option(
      '--upstream-headers-timeout <seconds>',
      "time to the upstream's response headers (a whole answer's headers come when it is done)",
      String(UP.headersTimeoutMs / 1000),
    )
    .option(
      '--upstream-idle-timeout <seconds>',
      'longest silence in the upstream body, and longest a client may leave the answer unread',
      String(UP.idleTimeoutMs / 1000),
    );
  // The same topology flags as `ingest --to`, `serve --nats` and `worker`, from one typed config.
  addTopologyFlags(cmd).action(async (f: GatewayFlags) => {
    if (f.eventsOut) checkOutputFile('--events-out', f.eventsOut);
    checkOutputFile('--spool', f.spool);
    checkOutputFile('--canary-registry', f.canaryRegistry);
    const log = pino({ name: 'distillguard-gateway' }, destination(2));
    const port = number('--port', f.port);
    const running = await listenOrExplain({ host: f.host, port }, () =>
      startGateway({
        upstream: f.upstream,
        port,
        host: f.host,
        server: f.server,
        serverKey: f.serverKey ?? process.env.DISTILLGUARD_API_KEY,
        decisionsFile: f.decisions,
        keysFile: f.keys,
        trustAccountHeader: f.trustAccountHeader ?? false,
        trustForwardedFor: f.trustForwardedFor ?? false,
        ...(f.nats ? { nats: natsUrl('--nats', f.nats), natsTopology: topologyFromFlags(f) } : {}),
        eventsOut: f.eventsOut,
        spool: f.spool,
        canarySecret: f.canarySecret ?? process.env.DISTILLGUARD_CANARY_SECRET,
        canaryRegistry: f.canaryRegistry,
        canaryRate: number('--canary-rate', f.canaryRate),
        canaryRecordPrompts: f.canaryPrompts,
        decisionTtlMs: number('--decision-ttl', f.decisionTtl) * 1000,
        degradeMaxTokens: number('--degrade-max-tokens', f.degradeMaxTokens),
        throttlePerMinute: number('--throttle-rpm', f.throttleRpm),
        verificationUrl: f.verificationUrl,
        upstreamConnections: number('--upstream-connections', f.upstreamConnections),
        upstreamQueue: number('--upstream-queue', f.upstreamQueue),
        upstreamQueueWaitMs: seconds('--upstream-queue-wait', f.upstreamQueueWait),
        upstreamConnectTimeoutMs: seconds('--upstream-connect-timeout', f.upstreamConnectTimeout),
        upstreamHeadersTimeoutMs: seconds('--upstream-headers-timeout', f.upstreamHeadersTimeout),
        upstreamIdleTimeoutMs: seconds('--upstream-idle-timeout', f.upstreamIdleTimeout),
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
