import type { Command } from 'commander';
import type { ScaleTopology } from '../../pipeline/index.js';
import { ScaleTopologyConfig, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags } from '../config-flags.js';

/**
 * Topology flags of every publisher and worker (`ingest --nats`, `serve --nats`, `gateway --nats`,
 * `worker`), made from the one typed config so they cannot drift apart.
 */
export function addTopologyFlags(cmd: Command): Command {
  return addConfigFlags(cmd, ScaleTopologyConfig);
}

export function topologyFromFlags(f: Record<string, unknown>): ScaleTopology {
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
