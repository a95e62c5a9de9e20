/** What every object the publisher writes in one export carries: time and provenance. */
export interface Stamp {
  /** created/modified of every object of this export. */
  ts: string;
  marked: { created_by_ref: string; object_marking_refs: string[] };
}
