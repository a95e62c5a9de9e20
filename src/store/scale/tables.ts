/** Scale-out tables (PostgreSQL only): partition leases, per-account engine state, applied event ids. */
export interface ScalePartitionsTable {
  partition: number;
  /** Worker id holding the lease, or null when free. */
  owner: string | null;
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
  /** AccountState as JSON text. */
  state: string;
  updated_at: number;
}

export interface ScaleSeenEventsTable {
  event_id: string;
  partition: number;
}

export interface ScaleScoringTable {
  id: number;
  /** Sum of partition versions scored last. */
  scored_version: number;
  scored_at: number;
}

export interface ScaleDatabase {
  scale_partitions: ScalePartitionsTable;
  scale_workers: ScaleWorkersTable;
  scale_account_state: ScaleAccountStateTable;
  scale_seen_events: ScaleSeenEventsTable;
  scale_scoring: ScaleScoringTable;
}
