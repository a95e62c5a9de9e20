import type { RejectReason } from '../contracts/index.js';
import { IngestReport } from './ingest-report.js';
import type { FileStats } from './ingest-report.js';
import { checkInputFiles, openInputFile, streamErrorReason } from './input-file.js';
import type { InputFormat, FormatOption } from './input-format.js';
import { detectFormat } from './input-format.js';
import { LineSplitter } from './line-splitter.js';
import { quarantineRecord } from './quarantine-sink.js';
import type { QuarantineSink } from './quarantine-sink.js';
import type { FormatParser, RecordHandler } from './record-handler.js';
import { DEFAULT_MAX_LINE_BYTES } from './record-validation.js';

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
}

interface Pending<T> {
  batch: T[];
  rejects: Parameters<typeof quarantineRecord>[];
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
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const sizes = await checkInputFiles(paths);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const started = Date.now();
  let bytesBefore = 0;

  for (const [i, path] of paths.entries()) {
    const input = await openInputFile(path, sizes[i]!);
    const pending: Pending<T> = { batch: [], rejects: [] };
    let stats: FileStats | null = null;
    let parser: FormatParser | null = null;
    let splitter = new LineSplitter(maxLineBytes);

    const handler: RecordHandler<T> = {
      accept(value, lineNo) {
        const refused = kind.admit(value, report);
        if (refused) return handler.reject(lineNo, refused.reason, refused.message, JSON.stringify(value));
        stats!.events++;
        pending.batch.push(value);
      },
      reject(lineNo, reason, message, raw, rawBytes, utf8) {
        report.countRejected(reason);
        stats!.rejected++;
        pending.rejects.push([path, lineNo, reason, message, raw, rawBytes, utf8]);
      },
      empty() {
        report.emptyLines++;
        stats!.empty_lines++;
      },
      skipped() {
        report.skippedSpans++;
      },
    };
    const onLine = (lineNo: number, bytes: Buffer, tooLong: number): void =>
      parser!.line(lineNo, bytes, tooLong);

    const flush = async (): Promise<T[]> => {
      stats!.lines = splitter.lineNo;
      const rejects = pending.rejects;
      pending.rejects = [];
      if (opts.quarantine) {
        for (const r of rejects) {
          const wait = opts.quarantine.write(quarantineRecord(...r));
          if (wait) await wait;
        }
      }
      if (opts.onProgress) {
        opts.onProgress({
          file: path,
          bytesRead: bytesBefore + input.diskBytesRead(),
          totalBytes,
          events: report.events,
          rejected: report.rejectedLines,
          elapsedMs: Date.now() - started,
        });
      }
      const batch = pending.batch;
      pending.batch = [];
      return batch;
    };

    // Only reading the file may fail as bad input (truncated or corrupt gzip); an error from a
    // parser (e.g. an unmappable CSV header) is the caller's to see.
    const chunks = input.chunks[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (err) {
          if (parser === null) {
            stats = report.startFile(path, detectFormat(path, Buffer.alloc(0), opts.format), input.gzip);
            parser = kind.parser(path, stats.format, handler, maxLineBytes);
          }
          rejectStreamError(err, input.gzip, splitter, stats!, handler);
          break;
        }
        if (next.done) break;
        const chunk = next.value;
        if (parser === null) {
          const format = detectFormat(path, chunk, opts.format);
          stats = report.startFile(path, format, input.gzip);
          const limit = lineLimit(format, maxLineBytes);
          splitter = new LineSplitter(limit);
          parser = kind.parser(path, format, handler, limit);
        }
        splitter.push(chunk, onLine);
        const batch = await flush();
        if (batch.length > 0) yield batch;
      }
    } finally {
      // Also runs when the consumer stops early: release the file.
      input.close();
    }
    if (parser === null) {
      // An empty file: nothing to parse, but it was read and belongs in the summary.
      stats = report.startFile(path, detectFormat(path, Buffer.alloc(0), opts.format), input.gzip);
      parser = kind.parser(path, stats.format, handler, maxLineBytes);
    }
    if (stats!.complete) splitter.end(onLine);
    parser.end();
    stats!.bytes = input.size;
    report.bytes += input.size;
    const batch = await flush();
    bytesBefore += input.size;
    if (batch.length > 0) yield batch;
  }
  return report;
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
