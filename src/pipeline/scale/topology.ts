import { ScaleTopologyConfig } from '../../contracts/index.js';
import { partitionOfAccount } from '../../ingest/index.js';
import { fingerprint64 } from '../../text/index.js';

/** The scale-out topology, shared by publishers and workers (they must agree on all of it). */
export interface ScaleTopology {
  /** JetStream stream name. */
  stream: string;
  /** Subject prefix: events of partition p go to `<subjectPrefix>.<p>`. */
  subjectPrefix: string;
  /** Fixed for the life of a stream: it decides which subject (and state row) an account lives on. */
  partitions: number;
}

export const DEFAULT_TOPOLOGY: ScaleTopology = ScaleTopologyConfig.parse({});

/**
 * The one partition function: a stable 32-bit hash of the account id (the first half of its
 * fingerprint64), modulo the partition count. Computed without the hex string (it runs for every
 * published and every received message); partitioned-read.test.ts checks it equals
 * parseInt(fingerprint64(id).slice(0, 8), 16) % partitions.
 */
export function partitionOf(accountId: string, partitions: number): number {
  return partitionOfAccount(accountId, partitions);
}

/** The partition a publisher's rejected line goes to: spread by where it was read. */
export const rejectedKey = (file: string, line: number): string => `rejected:${file}:${line}`;

/**
 * A rejected line's identity: where it was read and what it held. The stream's message id and
 * the workers' quarantine key, so the same line published again is counted once.
 */
export const rejectedLineId = (r: { file: string; line: number; raw: string }): string =>
  fingerprint64(`${rejectedKey(r.file, r.line)}:${r.raw}`);

export const subjectOf = (t: ScaleTopology, partition: number): string => `${t.subjectPrefix}.${partition}`;

/** Durable consumer name of a partition: every worker that leases it pulls from the same one. */
export const consumerOf = (t: ScaleTopology, partition: number): string => `${t.stream}_p${partition}`;
