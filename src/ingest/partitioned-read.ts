import type { AccountRecord, ApiEvent, RejectReason } from '../contracts/index.js';
import { fmix32, hash32 } from '../text/index.js';
import {
  EventLineScanner,
  SavedScans,
  ScannedLine,
  slotText,
  type EventLineView,
  type StringSlot,
} from './event-line-scanner.js';
import { IdHashSet } from './id-hash-set.js';
import { IngestReport, type FileStats } from './ingest-report.js';
import {
  checkInputFiles,
  openInputFile,
  pullChunk,
  streamErrorReason,
  type InputFile,
} from './input-file.js';
import { detectFormat } from './input-format.js';
import { LineSplitter } from './line-splitter.js';
import { ndjsonParser } from './ndjson-parser.js';
import { quarantineRecord } from './quarantine-sink.js';
import type { ReadOptions } from './read-records.js';
import { decodeLine, type RecordHandler } from './record-handler.js';
import { DEFAULT_MAX_LINE_BYTES, validateEvent } from './record-validation.js';
import { readAccounts, type IngestOptions } from './read-events.js';

/**
 * Partitioned NDJSON ingest for worker threads. The reading thread only splits lines and finds
 * each line's top-level `account_id` (a byte scan, no JSON.parse); partition workers parse,
 * validate, de-duplicate and use the lines of their accounts, in file order. Results come back
 * per batch and are merged in line order, so the ingest report, reject reasons, their order and
 * the quarantine are exactly those of the single-threaded reader (readEventBatches).
 *
 * Duplicate event ids are checked per partition by the workers. An id read before in another
 * partition (same id, different account) is rare; for it the reader waits until every earlier
 * line was handled, asks the other partitions whether they kept that id, and tells the owner to
 * drop a valid copy as a duplicate, as one reader would have.
 */

/** The partition of an account: the same hash the engine-state partitions use. */
export function partitionOfAccount(accountId: string, partitions: number): number {
  // The first half of fingerprint64(accountId) as a number, without the hex round trip (this runs
  // for every line on the reading thread): fingerprint64's first 32 bits are this hash32.
  return hash32(accountId, 0x9e3779b9) % partitions;
}

/** partitionOfAccount of a scanned account id, from its bytes when they are its UTF-16 units. */
function partitionOfSlot(b: Buffer, s: StringSlot, partitions: number): number {
  if (!s.plain) return partitionOfAccount(slotText(b, s), partitions);
  let h = (0x811c9dc5 ^ 0x9e3779b9) >>> 0;
  for (let i = s.start; i < s.end; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h) % partitions;
}

/** One batch of lines for one partition: concatenated bytes and where each line starts. */
export interface LineBatch {
  seq: number;
  bytes: Uint8Array;
  /** Start offsets of the lines in `bytes`, plus the end of the last one. */
  starts: Int32Array;
  lineNos: Int32Array;
  /** Line indexes whose event id another partition already kept (drop a valid copy as a duplicate). */
  duplicates: number[];
  /** The reading thread's scan of each line (see SavedScans), so workers need not parse it again. */
  scans: Int32Array;
  scanNumbers: Float64Array;
}

export type RejectTuple = [
  lineNo: number,
  reason: RejectReason,
  message: string,
  raw: Uint8Array | string,
  rawBytes: number | undefined,
  utf8: boolean | undefined,
];

export interface BatchResult {
  seq: number;
  events: number;
  fromMs: number;
  toMs: number;
  empty: number;
  rejects: RejectTuple[];
}

/** A partition worker as the reader sees it (message passing lives with the caller). */
export interface PartitionChannel {
  addAccounts(records: AccountRecord[]): void;
  send(batch: LineBatch): Promise<BatchResult>;
  /** Whether this partition kept an event with this id. */
  hasId(id: string): Promise<boolean>;
}

/** Worker side: parses and validates a partition's lines and hands valid events to `use`. */
export class PartitionLineProcessor {
  private readonly seen: IdHashSet | null;
  private readonly maxLineBytes: number;
  private readonly view = new ScannedLine();

  constructor(opts: Pick<IngestOptions, 'dedupe' | 'maxLineBytes'> = {}) {
    this.seen = opts.dedupe === false ? null : new IdHashSet();
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  hasId(id: string): boolean {
    return this.seen?.has(id) ?? false;
  }

  /**
   * Handles a batch: valid events go to `use`, or, for lines the reading thread scanned, to
   * `useLine` when given (without parsing the line: the scan vouched for it).
   */
  process(
    batch: LineBatch,
    use: (e: ApiEvent) => void,
    useLine?: (line: EventLineView) => void,
  ): BatchResult {
    const result: BatchResult = {
      seq: batch.seq,
      events: 0,
      fromMs: Infinity,
      toMs: -Infinity,
      empty: 0,
      rejects: [],
    };
    const forced = new Set(batch.duplicates);
    let current = 0;
    const handler: RecordHandler<ApiEvent> = {
      accept: (event, lineNo) => {
        // The same check and message as readEventBatches' admit().
        const dup = forced.has(current) || (this.seen !== null && !this.seen.add(event.id));
        if (dup) {
          handler.reject(
            lineNo,
            'duplicate_id',
            `event id "${event.id}" was already read; this copy was dropped`,
            JSON.stringify(event),
          );
          return;
        }
        result.events++;
        const ms = Date.parse(event.ts);
        if (ms < result.fromMs) result.fromMs = ms;
        if (ms > result.toMs) result.toMs = ms;
        use(event);
      },
      reject: (lineNo, reason, message, raw, rawBytes, utf8) => {
        // Buffers are copied: the batch bytes are reused.
        result.rejects.push([
          lineNo,
          reason,
          message,
          typeof raw === 'string' ? raw : Uint8Array.from(raw),
          rawBytes,
          utf8,
        ]);
      },
      empty: () => {
        result.empty++;
      },
      skipped: () => undefined,
    };
    const parser = ndjsonParser(handler, validateEvent, this.maxLineBytes);
    const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    const view = this.view;
    const seen = this.seen;
    for (let i = 0; i < batch.lineNos.length; i++) {
      current = i;
      const start = batch.starts[i]!;
      if (useLine && !forced.has(i) && view.load(buf, batch.scans, batch.scanNumbers, i, start)) {
        const id = view.id;
        // The same de-duplication as accept() below; a duplicate (or an id to decode first)
        // takes that ordinary path, which reports it.
        if (id.plain && (seen === null || seen.addAscii(buf, id.start, id.end))) {
          result.events++;
          const ms = view.tsMs;
          if (ms < result.fromMs) result.fromMs = ms;
          if (ms > result.toMs) result.toMs = ms;
          useLine(view);
          continue;
        }
      }
      parser.line(batch.lineNos[i]!, buf.subarray(start, batch.starts[i + 1]), 0);
    }
    return result;
  }
}

/** Main-thread options of the partitioned reader. */
export interface PartitionedReadOptions extends ReadOptions {
  accounts?: readonly string[];
  /** Bytes of lines per batch (all partitions together). */
  batchBytes?: number;
  /** Batches in flight before the reader waits (backpressure). */
  maxInFlight?: number;
}

/**
 * True when the files can be read partitioned: NDJSON (by content and name) without a
 * format override. CSV and OTLP use the single-threaded reader.
 */
export async function canReadPartitioned(paths: readonly string[], opts: ReadOptions = {}): Promise<boolean> {
  if (opts.format !== undefined && opts.format !== 'auto' && opts.format !== 'ndjson') return false;
  for (const path of paths) {
    const size = (await checkInputFiles([path]))[0]!;
    const input = await openInputFile(path, size);
    try {
      let head: Buffer = Buffer.alloc(0);
      for await (const chunk of input.chunks) {
        head = chunk;
        break;
      }
      if (detectFormat(path, head, opts.format) !== 'ndjson') return false;
    } catch {
      return false;
    } finally {
      input.close();
    }
  }
  return true;
}

class BatchBuilder {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  starts: number[] = [0];
  lineNos: number[] = [];
  duplicates: number[] = [];
  scans = new SavedScans(256);

  /** Adds a line; `scanned` holds its scan when it scanned as a valid event. */
  add(lineNo: number, line: Uint8Array, duplicate: boolean, scanned: EventLineScanner | null): void {
    const index = this.lineNos.length;
    this.scans.grow(index + 1);
    this.scans.save(scanned, index);
    if (this.length + line.length > this.bytes.length) {
      let cap = this.bytes.length * 2;
      while (cap < this.length + line.length) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(line, this.length);
    this.length += line.length;
    if (duplicate) this.duplicates.push(this.lineNos.length);
    this.lineNos.push(lineNo);
    this.starts.push(this.length);
  }

  take(seq: number): LineBatch {
    const scans = this.scans.take(this.lineNos.length);
    const b: LineBatch = {
      seq,
      bytes: this.bytes.subarray(0, this.length),
      starts: Int32Array.from(this.starts),
      lineNos: Int32Array.from(this.lineNos),
      duplicates: this.duplicates,
      scans: scans.ints,
      scanNumbers: scans.nums,
    };
    this.bytes = new Uint8Array(Math.max(1 << 16, this.length));
    this.length = 0;
    this.starts = [0];
    this.lineNos = [];
    this.duplicates = [];
    return b;
  }
}

/** What the reading thread keeps across the files of one partitioned read. */
interface PartitionedRead {
  readonly channels: readonly PartitionChannel[];
  readonly opts: PartitionedReadOptions & Pick<IngestOptions, 'dedupe'>;
  readonly report: IngestReport;
  readonly maxLineBytes: number;
  readonly dedupe: boolean;
  /**
   * Ids seen by partition (scanned from the raw line, so also ids of lines that turn out
   * invalid): an id in two partitions is the rare case that needs a cross-partition check.
   */
  readonly seenIn: IdHashSet[];
  readonly scanner: EventLineScanner;
  readonly started: number;
  readonly totalBytes: number;
  /** Bytes of the files read before the current one, for progress. */
  bytesBefore: number;
  /** Sequence number of the next batch. */
  seq: number;
}

/**
 * Reads event files, sending each line to the partition of its account. Returns the ingest
 * report; events end up in the partitions (the caller collects their state).
 */
export async function readEventsPartitioned(
  paths: readonly string[],
  channels: readonly PartitionChannel[],
  opts: PartitionedReadOptions & Pick<IngestOptions, 'dedupe'> = {},
): Promise<IngestReport> {
  const report = opts.report ?? new IngestReport();
  const started = Date.now();
  const accountFiles = opts.accounts ?? [];
  const sizes = await checkInputFiles([...accountFiles, ...paths]);
  for (const file of accountFiles) await sendAccounts(file, channels, opts, report);
  const trafficSizes = sizes.slice(accountFiles.length);
  const read: PartitionedRead = {
    channels,
    opts,
    report,
    maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    dedupe: opts.dedupe !== false,
    seenIn: Array.from({ length: channels.length }, () => new IdHashSet()),
    scanner: new EventLineScanner(),
    started,
    totalBytes: trafficSizes.reduce((a, b) => a + b, 0),
    bytesBefore: 0,
    seq: 0,
  };
  for (const [fi, path] of paths.entries()) {
    const input = await openInputFile(path, trafficSizes[fi]!);
    await new PartitionedFileRead(read, path, input).run();
    read.bytesBefore += input.size;
  }
  return report;
}

/** An accounts file's records, each sent to its account's partition in blocks. */
async function sendAccounts(
  file: string,
  channels: readonly PartitionChannel[],
  opts: PartitionedReadOptions,
  report: IngestReport,
): Promise<void> {
  const n = channels.length;
  const parts: AccountRecord[][] = Array.from({ length: n }, () => []);
  for await (const rec of readAccounts(file, { quarantine: opts.quarantine, report })) {
    parts[partitionOfAccount(rec.account_id, n)]!.push(rec);
    if (parts.every((p) => p.length < 4096)) continue;
    parts.forEach((p, i) => p.length && channels[i]!.addAccounts(p.splice(0)));
  }
  parts.forEach((p, i) => p.length && channels[i]!.addAccounts(p));
}

/** Batches sent to the partitions together, and what the reading thread found in their lines. */
interface InFlightBatch {
  results: Promise<BatchResult[]>;
  local: RejectTuple[];
  empty: number;
}

interface DeferredLine {
  lineNo: number;
  bytes: Buffer;
  tooLong: number;
}

/**
 * One file of a partitioned read: lines are split, routed to their partitions' batch builders
 * and sent in batches; results are merged back in batch order, at most `maxInFlight` behind.
 */
class PartitionedFileRead {
  private readonly stats: FileStats;
  private readonly splitter: LineSplitter;
  private readonly builders: BatchBuilder[];
  private readonly maxInFlight: number;
  private pendingBytes = 0;
  /** Rejects found here (over-long lines), merged with the workers' by line number. */
  private localRejects: RejectTuple[] = [];
  private localEmpty = 0;
  private readonly inFlight: InFlightBatch[] = [];
  /** Lines held back behind a cross-partition id (see flushDeferred). */
  private deferred: DeferredLine[] | null = null;
  private readonly localHandler: RecordHandler<unknown> = {
    accept: () => undefined,
    reject: (lineNo, reason, message, raw, rawBytes, utf8) => {
      this.localRejects.push([lineNo, reason, message, raw, rawBytes, utf8]);
    },
    empty: () => {
      this.localEmpty++;
    },
    skipped: () => undefined,
  };

  constructor(
    private readonly read: PartitionedRead,
    private readonly path: string,
    private readonly input: InputFile,
  ) {
    this.stats = read.report.startFile(path, 'ndjson', input.gzip);
    this.splitter = new LineSplitter(read.maxLineBytes);
    this.builders = Array.from({ length: read.channels.length }, () => new BatchBuilder());
    this.maxInFlight = read.opts.maxInFlight ?? 4;
  }

  async run(): Promise<void> {
    const { input, stats, splitter } = this;
    const batchBytes = this.read.opts.batchBytes ?? 1 << 20;
    const chunks = input.chunks[Symbol.asyncIterator]();
    try {
      for (;;) {
        const pull = await pullChunk(chunks);
        if (!pull.ok) {
          await this.drain();
          this.localRejects.push(this.streamError(pull.error));
          stats.complete = false;
          break;
        }
        if (pull.chunk === null) break;
        splitter.push(pull.chunk, this.onLine);
        await this.flushDeferred();
        if (this.pendingBytes >= batchBytes) await this.send();
      }
      if (stats.complete) {
        splitter.end(this.onLine);
        await this.flushDeferred();
      }
      await this.drain();
    } finally {
      input.close();
    }
    stats.lines = splitter.lineNo;
    stats.bytes = input.size;
    this.read.report.bytes += input.size;
  }

  /** A read error as the reject of the line it cut (or of the end of the last whole line). */
  private streamError(err: unknown): RejectTuple {
    const { reason, message } = streamErrorReason(err, this.input.gzip);
    const partial = this.splitter.partial();
    const last = this.splitter.lineNo;
    const events = this.stats.events;
    const kept = `${events} record${events === 1 ? '' : 's'} before it were kept`;
    return partial
      ? [
          last + 1,
          reason,
          `${message} inside line ${last + 1}; ${kept}`,
          partial.bytes,
          partial.length,
          undefined,
        ]
      : [last, reason, `${message} after line ${last}; ${kept}`, '', undefined, undefined];
  }

  private readonly onLine = (lineNo: number, bytes: Buffer, tooLong: number): void => {
    if (this.deferred) {
      this.deferred.push({ lineNo, bytes: Buffer.from(bytes), tooLong });
      return;
    }
    if (tooLong > 0) {
      decodeLine(this.localHandler, lineNo, bytes, tooLong, this.read.maxLineBytes);
      this.pendingBytes += 64;
      return;
    }
    if (!this.route(lineNo, bytes, null)) this.deferred = [{ lineNo, bytes: Buffer.from(bytes), tooLong }];
  };

  /**
   * Routes one line; returns false when it needs the cross-partition check first. `duplicate` is
   * that check's answer (null: not asked yet).
   */
  private route(lineNo: number, bytes: Buffer, duplicate: boolean | null): boolean {
    const { scanner, seenIn } = this.read;
    const n = seenIn.length;
    if (scanner.scan(bytes, this.read.maxLineBytes)) {
      // A valid event: its ids come from the scan (plain ones hashed from their bytes).
      const id = scanner.id;
      const part = partitionOfSlot(bytes, scanner.accountId, n);
      if (!id.plain) return this.routeWithIds(lineNo, bytes, duplicate, part, slotText(bytes, id), scanner);
      if (this.read.dedupe && duplicate === null) {
        for (let q = 0; q < n; q++)
          if (q !== part && seenIn[q]!.hasAscii(bytes, id.start, id.end)) return false;
      }
      seenIn[part]!.addAscii(bytes, id.start, id.end);
      this.builders[part]!.add(lineNo, bytes, duplicate === true, scanner);
      this.pendingBytes += bytes.length + 64;
      return true;
    }
    const keys = scanTopLevelIds(bytes);
    const part = keys.accountId === null ? lineNo % n : partitionOfAccount(keys.accountId, n);
    return this.routeWithIds(lineNo, bytes, duplicate, part, keys.id, null);
  }

  private routeWithIds(
    lineNo: number,
    bytes: Buffer,
    duplicate: boolean | null,
    part: number,
    id: string | null,
    scanned: EventLineScanner | null,
  ): boolean {
    const { seenIn } = this.read;
    if (this.read.dedupe && id !== null && duplicate === null) {
      for (let q = 0; q < seenIn.length; q++) if (q !== part && seenIn[q]!.has(id)) return false;
    }
    if (id !== null) seenIn[part]!.add(id);
    this.builders[part]!.add(lineNo, bytes, duplicate === true, scanned);
    this.pendingBytes += bytes.length + 64;
    return true;
  }

  /** Lines held back behind a cross-partition id: routed one by one after a full drain. */
  private async flushDeferred(): Promise<void> {
    while (this.deferred) {
      const lines = this.deferred;
      this.deferred = null;
      for (const { lineNo, bytes, tooLong } of lines) {
        if (tooLong > 0) {
          decodeLine(this.localHandler, lineNo, bytes, tooLong, this.read.maxLineBytes);
          continue;
        }
        if (this.route(lineNo, bytes, null)) continue;
        await this.drain();
        const id = scanTopLevelIds(bytes).id!;
        const kept = await Promise.all(this.read.channels.map((c) => c.hasId(id)));
        this.route(lineNo, bytes, kept.some(Boolean));
      }
    }
  }

  private async send(): Promise<void> {
    const s = this.read.seq++;
    const results = Promise.all(this.builders.map((b, i) => this.read.channels[i]!.send(b.take(s))));
    this.inFlight.push({ results, local: this.localRejects, empty: this.localEmpty });
    this.localRejects = [];
    this.localEmpty = 0;
    this.pendingBytes = 0;
    while (this.inFlight.length > this.maxInFlight) await this.settle();
  }

  private async drain(): Promise<void> {
    if (this.pendingBytes > 0 || this.localRejects.length > 0 || this.localEmpty > 0) await this.send();
    while (this.inFlight.length > 0) await this.settle();
  }

  /** The oldest batch's results counted in the report, its rejects quarantined in line order. */
  private async settle(): Promise<void> {
    const { report, opts } = this.read;
    const { stats, path } = this;
    const head = this.inFlight.shift()!;
    const { events, empty, fromMs, toMs, rejects } = mergeResults(head, await head.results);
    report.countEvents(events, fromMs, toMs);
    stats.events += events;
    report.emptyLines += empty;
    stats.empty_lines += empty;
    for (const [lineNo, reason, message, raw, rawBytes, utf8] of rejects) {
      report.countRejected(reason);
      stats.rejected++;
      if (opts.quarantine) {
        const rawOut =
          typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
        const wait = opts.quarantine.write(
          quarantineRecord(path, lineNo, reason, message, rawOut, rawBytes, utf8),
        );
        if (wait) await wait;
      }
    }
    opts.onProgress?.({
      file: path,
      bytesRead: this.read.bytesBefore + this.input.diskBytesRead(),
      totalBytes: this.read.totalBytes,
      events: report.events,
      rejected: report.rejectedLines,
      elapsedMs: Date.now() - this.read.started,
    });
  }
}

/** One sent batch's partition results and local findings as one, rejects in line order. */
function mergeResults(
  batch: InFlightBatch,
  results: readonly BatchResult[],
): { events: number; empty: number; fromMs: number; toMs: number; rejects: RejectTuple[] } {
  const rejects = [...batch.local];
  let empty = batch.empty;
  let events = 0;
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const r of results) {
    events += r.events;
    empty += r.empty;
    if (r.fromMs < fromMs) fromMs = r.fromMs;
    if (r.toMs > toMs) toMs = r.toMs;
    for (const x of r.rejects) rejects.push(x);
  }
  rejects.sort((a, b) => a[0] - b[0]);
  return { events, empty, fromMs, toMs, rejects };
}

const KEY_ID = [0x69, 0x64]; // id
const KEY_ACCOUNT_ID = [0x61, 0x63, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x5f, 0x69, 0x64]; // account_id
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function isKey(b: Uint8Array, from: number, to: number, key: readonly number[]): boolean {
  if (to - from !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[from + k] !== key[k]) return false;
  return true;
}

/** The decoded value of a JSON string literal at b[from..to) (quotes included), or null. */
function stringValue(b: Uint8Array, from: number, to: number): string | null {
  let plain = true;
  for (let k = from + 1; k < to - 1; k++) {
    const c = b[k]!;
    if (c === 92 || c >= 0x80 || c < 0x20) {
      plain = false;
      break;
    }
  }
  // Ids are short (at most a few hundred bytes): one call, not a concatenation per character.
  if (plain) return String.fromCharCode(...b.subarray(from + 1, to - 1));
  try {
    const v: unknown = JSON.parse(utf8Decoder.decode(b.subarray(from, to)));
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The top-level `id` and `account_id` of a JSON object line, without parsing it: one pass that
 * tracks nesting and skips string contents (this runs on the reading thread for every line, so
 * it must cost far less than JSON.parse). On valid JSON it yields what JSON.parse would (the last
 * of duplicate keys wins, escapes decoded); on invalid lines it may yield anything, and those
 * lines are rejected by the worker whichever partition gets them. A non-string value gives null.
 */
export function scanTopLevelIds(b: Uint8Array): { id: string | null; accountId: string | null } {
  let depth = 0;
  // 0: expecting a key, 1: expecting a value, 2: other (at depth 1)
  let expect = 2;
  let key = 0; // 1 = id, 2 = account_id
  let idAt = -1;
  let idEnd = -1;
  let accAt = -1;
  let accEnd = -1;
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c === 34) {
      // The closing quote: found with the native indexOf (prompts and answers make up most of a
      // line), skipping quotes escaped by an odd run of backslashes.
      let k = i + 1;
      for (;;) {
        const q = b.indexOf(34, k);
        if (q < 0) {
          k = n;
          break;
        }
        let slashes = 0;
        while (q - slashes - 1 > i && b[q - slashes - 1] === 92) slashes++;
        k = q;
        if (slashes % 2 === 0) break;
        k = q + 1;
      }
      if (depth === 1) {
        if (expect === 0) key = isKey(b, i + 1, k, KEY_ID) ? 1 : isKey(b, i + 1, k, KEY_ACCOUNT_ID) ? 2 : 0;
        else if (expect === 1) {
          if (key === 1) [idAt, idEnd] = [i, k + 1];
          else if (key === 2) [accAt, accEnd] = [i, k + 1];
        }
        expect = 2;
      }
      i = k + 1;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (depth === 1 && expect === 1) {
      // A non-string value for a key we track: the event is invalid, routing does not matter.
      if (key === 1) idAt = idEnd = -1;
      else if (key === 2) accAt = accEnd = -1;
      expect = 2;
    }
    if (c === 123 || c === 91) {
      depth++;
      if (depth === 1 && c === 123) expect = 0;
    } else if (c === 125 || c === 93) depth--;
    else if (depth === 1 && c === 44) expect = 0;
    else if (depth === 1 && c === 58) expect = 1;
    i++;
  }
  return {
    id: idAt < 0 ? null : stringValue(b, idAt, idEnd),
    accountId: accAt < 0 ? null : stringValue(b, accAt, accEnd),
  };
}
