import { resolve } from 'node:path';
import { CanaryGenerator, CanaryRegistry } from '../respond/index.js';
import { openEventSink, type EventSink, type ScaleTopology } from '../pipeline/index.js';
import { GATEWAY_DEFAULTS as D, UserError, type CanaryBanks } from '../contracts/index.js';
import { AccountResolver } from './accounts.js';
import { DecisionCache } from './decision-cache.js';
import { HttpDecisionSource, StaticDecisionSource, type DecisionSource } from './decision-source.js';
import { Gateway, type GatewayLog, type UpstreamBounds } from './gateway.js';
import { EventRecorder } from './recorder.js';
import { Throttle } from './throttle.js';

export interface GatewayConfig extends UpstreamBounds {
  upstream: string;
  port: number;
  host?: string;
  /** DistillGuard server: decisions come from it and events go to it. */
  server?: string;
  /** Key for the server (roles enforcement + ingest). */
  serverKey?: string;
  decisionsFile?: string;
  keysFile?: string;
  trustAccountHeader?: boolean;
  trustForwardedFor?: boolean;
  /** Publish events to this NATS JetStream server (scale-out workers consume them). */
  nats?: string;
  /** Stream, subjects and partitions for `nats` (default DEFAULT_TOPOLOGY). */
  natsTopology?: ScaleTopology;
  /** Write events to this NDJSON file (when there is no server, or in addition to nothing else). */
  eventsOut?: string;
  /** Hand events to code in this process instead (e.g. the detection engine). */
  sink?: EventSink;
  spool?: string;
  canarySecret?: string;
  canaryRegistry?: string;
  /** The operator's canary banks (default DEFAULT_CANARY_BANKS). */
  canaryBanks?: CanaryBanks;
  canaryRate?: number;
  /** Keep prompts in the canary registry (for the probe); false keeps them out. */
  canaryRecordPrompts?: boolean;
  decisionTtlMs?: number;
  degradeMaxTokens?: number;
  throttlePerMinute?: number;
  verificationUrl?: string;
  log?: GatewayLog;
}

/** Each upstream bound with the flag that sets it and whether it counts (integer) or times (ms). */
const UPSTREAM_BOUNDS = [
  ['upstreamConnections', '--upstream-connections', 'count', 1],
  ['upstreamQueue', '--upstream-queue', 'count', 0],
  ['upstreamQueueWaitMs', '--upstream-queue-wait', 'ms', 0],
  ['upstreamConnectTimeoutMs', '--upstream-connect-timeout', 'ms', 1],
  ['upstreamHeadersTimeoutMs', '--upstream-headers-timeout', 'ms', 1],
  ['upstreamIdleTimeoutMs', '--upstream-idle-timeout', 'ms', 1],
] as const;

const MAX_TIMER_MS = 2 ** 31 - 1;

function checkUpstreamBounds(c: GatewayConfig): void {
  for (const [key, flag, kind, min] of UPSTREAM_BOUNDS) {
    const v = c[key];
    if (v === undefined) continue;
    // Timers above 2^31 - 1 ms fire at once in Node, so a huge timeout would be no timeout at all.
    const ok =
      kind === 'count'
        ? Number.isInteger(v) && v >= min
        : Number.isFinite(v) && v >= min && v <= MAX_TIMER_MS;
    if (!ok) {
      const shown = kind === 'ms' ? `${v / 1000} s` : String(v);
      throw new UserError(
        'INVALID_ARGUMENT',
        kind === 'count'
          ? `${flag} must be a whole number >= ${min}, got ${shown}`
          : `${flag} must be a number of seconds ${min === 0 ? '>= 0' : '> 0'} and at most ${MAX_TIMER_MS / 1000}, got ${shown}`,
      );
    }
  }
}

export interface RunningGateway {
  gateway: Gateway;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Build a gateway from flags-like config and start listening. */
export async function startGateway(c: GatewayConfig): Promise<RunningGateway> {
  try {
    new URL(c.upstream);
  } catch {
    throw new UserError(
      'INVALID_ARGUMENT',
      `--upstream ${c.upstream} is not a URL; pass e.g. https://api.openai.com`,
    );
  }
  if (c.canaryRate !== undefined && !(c.canaryRate > 0 && c.canaryRate <= 1)) {
    throw new UserError('INVALID_ARGUMENT', `--canary-rate must be in (0, 1], got ${c.canaryRate}`);
  }
  checkUpstreamBounds(c);
  const sink: EventSink | null = c.sink ?? (await openEventSink(c));
  if (!sink) {
    throw new UserError(
      'INVALID_ARGUMENT',
      'the gateway needs somewhere to record events: pass --server URL, --nats URL or --events-out FILE',
    );
  }
  const source: DecisionSource = c.decisionsFile
    ? StaticDecisionSource.fromFile(c.decisionsFile)
    : c.server
      ? new HttpDecisionSource(c.server, c.serverKey)
      : new StaticDecisionSource([]);
  const decisions = new DecisionCache(source, {
    ttlMs: c.decisionTtlMs ?? D.decisionTtl * 1000,
    onError: (err) => c.log?.warn({ err: err.message }, 'decision lookup failed; keeping the last decision'),
  });
  // With the server, one background listing per TTL replaces per-account lookups (if it can list).
  await decisions.startSync();
  const accounts = c.keysFile
    ? AccountResolver.fromFile(c.keysFile, c.trustAccountHeader)
    : new AccountResolver({ trustAccountHeader: c.trustAccountHeader ?? false });
  const recorder = new EventRecorder({
    sink,
    spoolPath: resolve(c.spool ?? D.spool),
    onError: (err, context) => c.log?.warn({ err: err.message }, context),
  });
  const canary = c.canarySecret
    ? {
        generator: new CanaryGenerator(c.canarySecret, undefined, c.canaryBanks),
        registry: new CanaryRegistry(resolve(c.canaryRegistry ?? D.canaryRegistry)),
        rate: c.canaryRate ?? D.canaryRate,
        recordPrompts: c.canaryRecordPrompts ?? D.canaryPrompts,
      }
    : undefined;
  const gateway = new Gateway({
    upstream: c.upstream,
    decisions,
    accounts,
    recorder,
    throttle: new Throttle(c.throttlePerMinute ?? D.throttleRpm),
    ...(canary ? { canary } : {}),
    ...(c.degradeMaxTokens ? { degradeMaxTokens: c.degradeMaxTokens } : {}),
    ...(c.verificationUrl ? { verificationUrl: c.verificationUrl } : {}),
    ...(c.trustForwardedFor ? { trustForwardedFor: true } : {}),
    ...(c.log ? { log: c.log } : {}),
    ...Object.fromEntries(
      UPSTREAM_BOUNDS.filter(([key]) => c[key] !== undefined).map(([key]) => [key, c[key]]),
    ),
  });
  const host = c.host ?? D.host;
  const port = await gateway.listen(c.port, host);
  return { gateway, port, url: `http://${host}:${port}`, close: () => gateway.close() };
}
