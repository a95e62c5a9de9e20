/** Scale-out tables (PostgreSQL only): partition leases, per-account engine state, applied event ids. */
export interface ScalePartitionsTable {
  partition: number;
  /** Worker id holding the lease, or null when free. */
  owner: string | null;
  /** The holding process's incarnation token (random per start): the lease belongs to it. */
  incarnation: string | null;
  /** Epoch ms the lease runs out unless renewed. */
  lease_until: number;
  /** Bumped on every change of owner: a worker whose fence is stale may not commit. */
  fence: number;
  /** Events applied to this partition's state (distinct event ids). */
  events: number;
  /** Highest stream sequence applied (for monitoring lag). */
  applied_seq: number;
  /** Bumped on every commit; the scorer re-scores when the sum changes. */
  version: number;
}

export interface ScaleWorkersTable {
  worker_id: string;
  seen_at: number;
}

export interface ScaleAccountStateTable {
  account_id: string;
  partition: number;
  /** AccountState as JSON text (its stats' kernelSum left empty when `kernel` holds it). */
  state: string;
  /** The stats' kernelSum as little-endian float64, or null when the JSON holds it (older rows). */
  kernel: Buffer | null;
  /**
   * The partition's version (scale_partitions.version) of the commit that last wrote the row, 0
   * for rows from before the column: the scorer reads only rows above the versions it last saw.
   */
  version: number;
  updated_at: number;
}

export interface ScaleSeenEventsTable {
  event_id: string;
  partition: number;
  /** Stream sequence of the message that applied it: prunable once the consumer's ack floor passed it. */
  seq: number;
  /** Epoch ms it was applied. */
  seen_at: number;
}

/** A message from the stream that was not a valid event or record of its partition (never dropped silently). */
export interface ScaleQuarantineTable {
  stream: string;
  seq: number;
  partition: number;
  subject: string;
  /** invalid_json, invalid_utf8, wrong_type, missing_field, invalid_value or misrouted. */
  reason: string;
  message: string;
  /** The payload, cut to 4 KiB; base64 when it was not UTF-8. */
  raw: string;
  raw_encoding: 'utf8' | 'base64';
  raw_bytes: number;
  raw_truncated: boolean;
  received_at: number;
  /** A forwarded rejected line's identity (source, line, content): unique, so it is stored once. */
  line_key: string | null;
}

export interface ScaleScoringTable {
  id: number;
  /** Sum of partition versions scored last. */
  scored_version: number;
  scored_at: number;
}

/** The one stream topology the database belongs to (one row, id 1), recorded at first use. */
export interface ScaleTopologyTable {
  id: number;
  stream: string;
  subject_prefix: string;
  partitions: number;
  bound_at: number;
}

export interface ScaleDatabase {
  scale_topology: ScaleTopologyTable;
  scale_partitions: ScalePartitionsTable;
  scale_workers: ScaleWorkersTable;
  scale_account_state: ScaleAccountStateTable;
  scale_seen_events: ScaleSeenEventsTable;
  scale_scoring: ScaleScoringTable;
  scale_quarantine: ScaleQuarantineTable;
}
