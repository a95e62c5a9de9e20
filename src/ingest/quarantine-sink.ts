import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError, storableText, unstorableText } from '../contracts/index.js';
import type { QuarantineRecord, RejectReason } from '../contracts/index.js';

/** Raw text kept per rejected line: enough to recognise it, bounded for megabyte lines. */
export const QUARANTINE_RAW_LIMIT = 4096;

/** Where rejected lines go. `write` may return a promise to apply backpressure. */
export interface QuarantineSink {
  write(record: QuarantineRecord): void | Promise<void>;
  close(): Promise<void>;
}

export function quarantineRecord(
  file: string,
  line: number,
  reason: RejectReason,
  message: string,
  raw: Buffer | string,
  rawBytes?: number,
  utf8 = true,
): QuarantineRecord {
  // Quarantine records are stored as text (the scale-out quarantine table): a NUL the line or a
  // parser's message quoted would make PostgreSQL refuse the record, so the message shows it as
  // an escape and such a line is kept as base64 (exact, as for invalid UTF-8).
  const note = storableText(message);
  if (typeof raw === 'string') {
    let head = raw.length > QUARANTINE_RAW_LIMIT ? raw.slice(0, QUARANTINE_RAW_LIMIT) : raw;
    // Never cut a surrogate pair in half.
    if (head.length < raw.length && /[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
    const truncated =
      head.length < raw.length || (rawBytes !== undefined && rawBytes > Buffer.byteLength(raw));
    const plain = unstorableText(head) === undefined;
    return {
      file,
      line,
      reason,
      message: note,
      raw: plain ? head : Buffer.from(head, 'utf8').toString('base64'),
      raw_encoding: plain ? 'utf8' : 'base64',
      raw_bytes: rawBytes ?? Buffer.byteLength(raw),
      raw_truncated: truncated,
    };
  }
  const bytes = rawBytes ?? raw.length;
  const head = raw.subarray(0, QUARANTINE_RAW_LIMIT);
  // Invalid UTF-8 (or a NUL) is kept byte-exact as base64; other heads are kept readable.
  const readable = utf8 && !head.includes(0);
  return {
    file,
    line,
    reason,
    message: note,
    raw: readable ? head.toString('utf8') : head.toString('base64'),
    raw_encoding: readable ? 'utf8' : 'base64',
    raw_bytes: bytes,
    raw_truncated: bytes > head.length,
  };
}

/** Writes one NDJSON record per rejected line, waiting for the disk when its buffer is full. */
export class FileQuarantine implements QuarantineSink {
  private written = 0;

  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {}

  /** Opens (and truncates) the file now, so an unwritable path fails before any input is read. */
  static async open(path: string): Promise<FileQuarantine> {
    try {
      const fh = await open(path, 'w');
      await fh.close();
    } catch (err) {
      throw new UserError(
        'INVALID_ARGUMENT',
        `cannot write the quarantine file ${path}: ${(err as Error).message}; choose another path with --quarantine FILE`,
      );
    }
    return new FileQuarantine(path, createWriteStream(path, { flags: 'w' }));
  }

  get count(): number {
    return this.written;
  }

  write(record: QuarantineRecord): void | Promise<void> {
    this.written++;
    if (!this.out.write(`${JSON.stringify(record)}\n`)) return once(this.out, 'drain').then(() => undefined);
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** Keeps rejected lines in memory, up to a limit (tests, HTTP responses). */
export class MemoryQuarantine implements QuarantineSink {
  readonly records: QuarantineRecord[] = [];
  dropped = 0;

  constructor(private readonly limit = 10_000) {}

  write(record: QuarantineRecord): void {
    if (this.records.length < this.limit) this.records.push(record);
    else this.dropped++;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
