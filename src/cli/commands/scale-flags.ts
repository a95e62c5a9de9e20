import type { Command } from 'commander';
import type { ScaleTopology } from '../../pipeline/index.js';
import { ScaleStreamConfig, ScaleTopologyConfig, UserError } from '../../contracts/index.js';
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

/** The stream's retention limit, for the commands that create the stream (`worker`, `ingest --nats`). */
export function addStreamFlags(cmd: Command): Command {
  return addConfigFlags(cmd, ScaleStreamConfig);
}

/** The stream options the flags give; a warning about the stream goes to stderr. */
function streamOptionsFromFlags(f: Record<string, unknown>): {
  maxMessages?: number;
  onWarning: (message: string) => void;
} {
  const { streamMaxMessages } = configFromFlags(ScaleStreamConfig, f);
  return {
    ...(streamMaxMessages !== undefined ? { maxMessages: streamMaxMessages } : {}),
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  };
}

/** What a command that creates the stream (`worker`, `ingest --nats`) reads from its flags. */
export function streamSetupFromFlags(f: Record<string, unknown>): {
  topology: ScaleTopology;
  streamOptions: ReturnType<typeof streamOptionsFromFlags>;
} {
  return { topology: topologyFromFlags(f), streamOptions: streamOptionsFromFlags(f) };
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
