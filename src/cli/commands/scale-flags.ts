import type { Command } from 'commander';
import type { ScaleTopology } from '../../pipeline/index.js';
import { ScaleTopologyConfig, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags } from '../config-flags.js';

/**
 * Topology flags of every publisher and worker (`ingest --to`, `serve --nats`, `gateway --nats`,
 * `worker`), made from the one typed config so they cannot drift apart.
 */
export function addTopologyFlags(cmd: Command): Command {
  return addConfigFlags(cmd, ScaleTopologyConfig);
}

export type TopologyFlags = Record<string, unknown>;

export function topologyFromFlags(f: TopologyFlags): ScaleTopology {
  return configFromFlags(ScaleTopologyConfig, f);
}

/** "30s", "500ms", "2m", or plain milliseconds. */
export function durationMs(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m)
    throw new UserError(
      'INVALID_ARGUMENT',
      `${flag} must be a duration like 500ms, 30s or 2m, got "${value}"`,
    );
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n);
}

export function natsUrl(flag: string, value: string): string {
  if (!/^(nats|tls):\/\/[^/\s]+$/.test(value) && !/^[^/\s:]+:\d+$/.test(value))
    throw new UserError('INVALID_ARGUMENT', `${flag} must be nats://HOST:PORT, got "${value}"`);
  return value;
}
