import type { RejectReason } from '../contracts/index.js';
import { IngestReport } from './ingest-report.js';
import type { FileStats } from './ingest-report.js';
import { checkInputFiles, openInputFile, pullChunk, streamErrorReason } from './input-file.js';
import type { InputFile } from './input-file.js';
import type { InputFormat, FormatOption } from './input-format.js';
import { detectFormat } from './input-format.js';
import { LineSplitter } from './line-splitter.js';
import { quarantineRecord } from './quarantine-sink.js';
import type { QuarantineSink } from './quarantine-sink.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { DEFAULT_MAX_LINE_BYTES } from './record-validation.js';
import { isLogFormat } from './formats/log-formats.js';
import type { ParquetRowParser } from './parquet-parser.js';
import { ParquetReadError, readParquetRows, startsWithParquetMagic } from './parquet-read.js';

export interface IngestProgress {
  file: string;
  /** Bytes read from disk across all files (compressed bytes for gzip). */
  bytesRead: number;
  totalBytes: number;
  events: number;
  rejected: number;
  elapsedMs: number;
}

export interface ReadOptions {
  format?: FormatOption;
  /** Where rejected lines go; without one they are only counted in the report. */
  quarantine?: QuarantineSink;
  onProgress?: (p: IngestProgress) => void;
  /** Filled as the run goes; pass one in to read totals while (or after) iterating. */
  report?: IngestReport;
  maxLineBytes?: number;
}

/** The per-record part of a read: how to parse a file and what to do with each valid record. */
export interface RecordKind<T> {
  parser(file: string, format: InputFormat, handler: RecordHandler<T>, maxLineBytes: number): FormatParser;
  /** Counts a valid record; returns a rejection when it must be refused anyway (a duplicate). */
  admit(value: T, report: IngestReport): { reason: RejectReason; message: string } | null;
  /** Rows of a Parquet file; kinds without one read no Parquet. */
  parquetParser?(
    file: string,
    handler: RecordHandler<T>,
    maxRowBytes: number,
    rowFormat?: string,
  ): ParquetRowParser;
}

interface Pending<T> {
  batch: T[];
  rejects: Parameters<typeof quarantineRecord>[];
}

/** Progress across the files of one read. */
interface ReadProgress {
  totalBytes: number;
  started: number;
  /** Bytes of the files read before the current one. */
  bytesBefore: number;
}

/**
 * Reads files in order and yields batches of valid records, one batch per chunk read. Pulling
 * the next batch is what reads more of the file, so a slow consumer slows the reader
 * (backpressure) and memory stays at about one chunk plus one line.
 */
export async function* readRecordBatches<T>(
  paths: readonly string[],
  kind: RecordKind<T>,
  opts: ReadOptions = {},
): AsyncGenerator<T[], IngestReport> {
  const report = opts.report ?? new IngestReport();
  const sizes = await checkInputFiles(paths);
  const progress: ReadProgress = {
    totalBytes: sizes.reduce((a, b) => a + b, 0),
    started: Date.now(),
    bytesBefore: 0,
  };
  for (const [i, path] of paths.entries()) {
    if (kind.parquetParser && (await isParquetInput(path, sizes[i]!, opts.format))) {
      const input = parquetInput(path, sizes[i]!);
      yield* new RecordFileRead(path, input, kind, opts, report, progress).parquetBatches();
      progress.bytesBefore += input.size;
      continue;
    }
    const input = await openInputFile(path, sizes[i]!);
    yield* new RecordFileRead(path, input, kind, opts, report, progress).batches();
    progress.bytesBefore += input.size;
  }
  return report;
}

/** One file of a read: its format found from its first chunk, its lines parsed, its records batched. */
class RecordFileRead<T> {
  private readonly maxLineBytes: number;
  private readonly pending: Pending<T> = { batch: [], rejects: [] };
  private stats: FileStats | null = null;
  private parser: FormatParser | null = null;
  /** Parquet only: rows read so far, and whether the file was read to its end. */
  private rowsRead = 0;
  private parquetDone = false;
  private splitter: LineSplitter;
  private readonly handler: RecordHandler<T>;
  private readonly onLine = (lineNo: number, bytes: Buffer, tooLong: number): void =>
    this.parser!.line(lineNo, bytes, tooLong);

  constructor(
    private readonly path: string,
    private readonly input: InputFile,
    private readonly kind: RecordKind<T>,
    private readonly opts: ReadOptions,
    private readonly report: IngestReport,
    private readonly progress: ReadProgress,
  ) {
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.splitter = new LineSplitter(this.maxLineBytes);
    this.handler = this.recordHandler();
  }

  async *batches(): AsyncGenerator<T[], void> {
    const { input } = this;
    // Only reading the file may fail as bad input (truncated or corrupt gzip); an error from a
    // parser (e.g. an unmappable CSV header) is the caller's to see.
    const chunks = input.chunks[Symbol.asyncIterator]();
    try {
      for (;;) {
        const pull = await pullChunk(chunks);
        if (!pull.ok) {
          if (this.parser === null) this.start(Buffer.alloc(0), false);
          rejectStreamError(pull.error, input.gzip, this.splitter, this.stats!, this.handler);
          break;
        }
        const chunk = pull.chunk;
        if (chunk === null) break;
        if (this.parser === null) this.start(chunk, true);
        this.splitter.push(chunk, this.onLine);
        const batch = await this.flush();
        if (batch.length > 0) yield batch;
      }
    } finally {
      // Also runs when the consumer stops early: release the file.
      input.close();
    }
    // An empty file: nothing to parse, but it was read and belongs in the summary.
    if (this.parser === null) this.start(Buffer.alloc(0), false);
    if (this.stats!.complete) this.splitter.end(this.onLine);
    this.parser!.end();
    this.stats!.bytes = input.size;
    this.report.bytes += input.size;
    const batch = await this.flush();
    if (batch.length > 0) yield batch;
  }

  /**
   * A Parquet file: rows read by DuckDB a chunk at a time, each mapped and validated like a line;
   * a file DuckDB cannot read is one `invalid_parquet` rejection (rows before it are kept).
   */
  async *parquetBatches(): AsyncGenerator<T[], void> {
    const { path, opts } = this;
    this.stats = this.report.startFile(path, 'parquet', false);
    const rowFormat = opts.format !== undefined && isLogFormat(opts.format) ? opts.format : undefined;
    const rows = this.kind.parquetParser!(path, this.handler, this.maxLineBytes, rowFormat);
    try {
      for await (const batch of readParquetRows(path, this.maxLineBytes)) {
        this.rowsRead = batch[batch.length - 1]!.row;
        rows.rows(batch);
        const out = await this.flush();
        if (out.length > 0) yield out;
      }
      rows.end();
    } catch (err) {
      if (!(err instanceof ParquetReadError)) throw err;
      rows.end();
      const kept = `${this.stats.events} event${this.stats.events === 1 ? '' : 's'} before it were kept`;
      this.handler.reject(
        this.rowsRead,
        'invalid_parquet',
        `DuckDB cannot read this Parquet file after row ${this.rowsRead}: ${err.message.split('\n')[0]}; ${kept}`,
        '',
      );
      this.stats.complete = false;
    }
    this.stats.bytes = this.input.size;
    this.report.bytes += this.input.size;
    this.parquetDone = true;
    const out = await this.flush();
    if (out.length > 0) yield out;
  }

  /**
   * Starts the file's summary and parser, in the format its first chunk shows; a file that gave
   * no chunk keeps the default line bound (`withLimit` false).
   */
  private start(head: Buffer, withLimit: boolean): void {
    const format = detectFormat(this.path, head, this.opts.format);
    this.stats = this.report.startFile(this.path, format, this.input.gzip);
    const limit = withLimit ? lineLimit(format, this.maxLineBytes) : this.maxLineBytes;
    this.splitter = new LineSplitter(limit);
    this.parser = this.kind.parser(this.path, format, this.handler, limit);
  }

  private recordHandler(): RecordHandler<T> {
    const { report, pending, kind, path } = this;
    const handler: RecordHandler<T> = {
      accept: (value, lineNo) => {
        const refused = kind.admit(value, report);
        if (refused) return handler.reject(lineNo, refused.reason, refused.message, JSON.stringify(value));
        this.stats!.events++;
        pending.batch.push(value);
      },
      reject: (lineNo, reason, message, raw, rawBytes, utf8) => {
        report.countRejected(reason);
        this.stats!.rejected++;
        pending.rejects.push([path, lineNo, reason, message, raw, rawBytes, utf8]);
      },
      empty: () => {
        report.emptyLines++;
        this.stats!.empty_lines++;
      },
      skipped: () => {
        report.skippedSpans++;
      },
    };
    return handler;
  }

  /** Quarantines the pending rejects, reports progress and hands over the pending records. */
  private async flush(): Promise<T[]> {
    const { pending, opts, report, progress } = this;
    this.stats!.lines = this.stats!.format === 'parquet' ? this.rowsRead : this.splitter.lineNo;
    const rejects = pending.rejects;
    pending.rejects = [];
    if (opts.quarantine) {
      for (const r of rejects) {
        const wait = opts.quarantine.write(quarantineRecord(...r));
        if (wait) await wait;
      }
    }
    opts.onProgress?.({
      file: this.path,
      bytesRead: progress.bytesBefore + (this.parquetDone ? this.input.size : this.input.diskBytesRead()),
      totalBytes: progress.totalBytes,
      events: report.events,
      rejected: report.rejectedLines,
      elapsedMs: Date.now() - progress.started,
    });
    const batch = pending.batch;
    pending.batch = [];
    return batch;
  }
}

/**
 * Whether a file is read as Parquet: `--format parquet`, or its magic bytes when the format is
 * detected or names only the rows' format (`--format litellm` on a Parquet file).
 */
async function isParquetInput(path: string, size: number, format: ReadOptions['format']): Promise<boolean> {
  if (format === 'parquet') return true;
  if (format !== undefined && format !== 'auto' && !isLogFormat(format)) return false;
  return size >= 4 && (await startsWithParquetMagic(path));
}

/** DuckDB reads the file itself; the input is only its size, for the summary and progress. */
function parquetInput(path: string, size: number): InputFile {
  return {
    path,
    size,
    gzip: false,
    chunks: (async function* () {})(),
    diskBytesRead: () => 0,
    close: () => undefined,
  };
}

/**
 * One OTLP line is a whole export request holding many spans, so it gets a larger bound than an
 * event line; memory stays bounded by it.
 */
export const OTLP_MAX_LINE_BYTES = 64 * 1024 * 1024;

function lineLimit(format: InputFormat, maxLineBytes: number): number {
  return format === 'otlp' ? Math.max(maxLineBytes, OTLP_MAX_LINE_BYTES) : maxLineBytes;
}

function rejectStreamError<T>(
  err: unknown,
  gzip: boolean,
  splitter: LineSplitter,
  stats: FileStats,
  handler: RecordHandler<T>,
): void {
  const { reason, message } = streamErrorReason(err, gzip);
  const partial = splitter.partial();
  const last = splitter.lineNo;
  const kept = `${stats.events} record${stats.events === 1 ? '' : 's'} before it were kept`;
  if (partial) {
    handler.reject(
      last + 1,
      reason,
      `${message} inside line ${last + 1}; ${kept}`,
      partial.bytes,
      partial.length,
    );
  } else {
    handler.reject(last, reason, `${message} after line ${last}; ${kept}`, '');
  }
  stats.complete = false;
}
