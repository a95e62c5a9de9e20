import type { IngestFileSummary, IngestSummary, RejectReason } from '../contracts/index.js';
import { IdHashSet } from './id-hash-set.js';

export type FileStats = IngestFileSummary;

/** Running totals of one ingest run: what was kept, what was refused and why, per file. */
export class IngestReport {
  events = 0;
  accountRecords = 0;
  emptyLines = 0;
  skippedSpans = 0;
  bytes = 0;
  readonly rejected = new Map<RejectReason, number>();
  readonly files: FileStats[] = [];
  private fromMs = Infinity;
  private toMs = -Infinity;
  private readonly accountIds = new IdHashSet(1 << 12);

  /** Distinct account ids seen in events and account records. */
  get accounts(): number {
    return this.accountIds.size;
  }

  get duplicates(): number {
    return this.rejected.get('duplicate_id') ?? 0;
  }

  get rejectedLines(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  get from(): string | null {
    return Number.isFinite(this.fromMs) ? new Date(this.fromMs).toISOString() : null;
  }

  get to(): string | null {
    return Number.isFinite(this.toMs) ? new Date(this.toMs).toISOString() : null;
  }

  startFile(path: string, format: FileStats['format'], gzip: boolean): FileStats {
    const f: FileStats = {
      path,
      format,
      gzip,
      bytes: 0,
      lines: 0,
      events: 0,
      rejected: 0,
      empty_lines: 0,
      complete: true,
    };
    this.files.push(f);
    return f;
  }

  countEvent(ts: string, accountId: string): void {
    this.events++;
    this.accountIds.add(accountId);
    const ms = Date.parse(ts);
    if (ms < this.fromMs) this.fromMs = ms;
    if (ms > this.toMs) this.toMs = ms;
  }

  /** Adds events counted elsewhere (a partition worker): their number and time range. */
  countEvents(n: number, fromMs: number, toMs: number): void {
    this.events += n;
    if (fromMs < this.fromMs) this.fromMs = fromMs;
    if (toMs > this.toMs) this.toMs = toMs;
  }

  /** An account id seen in events counted with countEvents. */
  countAccountId(accountId: string): void {
    this.accountIds.add(accountId);
  }

  countAccountRecord(accountId: string): void {
    this.accountRecords++;
    this.accountIds.add(accountId);
  }

  countRejected(reason: RejectReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  toJSON(): IngestSummary {
    const rejected: Record<string, number> = {};
    for (const [k, v] of [...this.rejected].sort((a, b) => b[1] - a[1])) rejected[k] = v;
    return {
      events: this.events,
      accounts: this.accounts,
      account_records: this.accountRecords,
      from: this.from,
      to: this.to,
      rejected_lines: this.rejectedLines,
      rejected,
      duplicates: this.duplicates,
      empty_lines: this.emptyLines,
      skipped_spans: this.skippedSpans,
      bytes: this.bytes,
      files: this.files.map((f) => ({ ...f })),
    };
  }
}
