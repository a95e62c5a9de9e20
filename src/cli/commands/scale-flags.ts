import type { Command } from 'commander';
import { DEFAULT_TOPOLOGY, type ScaleTopology } from '../../scale/index.js';
import { UserError } from '../../schema/index.js';

/** Topology flags shared by `ingest --to` and `worker`: both sides must agree on them. */
export function addTopologyFlags(cmd: Command): Command {
  return cmd
    .option('--stream <name>', 'JetStream stream name', DEFAULT_TOPOLOGY.stream)
    .option(
      '--subject-prefix <prefix>',
      'subject prefix (events go to PREFIX.<partition>)',
      DEFAULT_TOPOLOGY.subjectPrefix,
    )
    .option(
      '--partitions <n>',
      'partition count, fixed for the life of a stream (all publishers and workers must agree)',
      String(DEFAULT_TOPOLOGY.partitions),
    );
}

export interface TopologyFlags {
  stream: string;
  subjectPrefix: string;
  partitions: string;
}

export function topologyFromFlags(f: TopologyFlags): ScaleTopology {
  const partitions = Number(f.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024)
    throw new UserError(
      'INVALID_ARGUMENT',
      `--partitions must be a whole number 1..1024, got "${f.partitions}"`,
    );
  if (!/^[A-Za-z0-9_-]+$/.test(f.stream))
    throw new UserError('INVALID_ARGUMENT', `--stream must be letters, digits, _ and -, got "${f.stream}"`);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(f.subjectPrefix))
    throw new UserError(
      'INVALID_ARGUMENT',
      `--subject-prefix must be dot-separated tokens, got "${f.subjectPrefix}"`,
    );
  return { stream: f.stream, subjectPrefix: f.subjectPrefix, partitions };
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
