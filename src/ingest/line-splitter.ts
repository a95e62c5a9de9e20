/** Bytes of an over-long line kept for the quarantine preview. */
export const TOO_LONG_PREVIEW_BYTES = 1024;

/**
 * Receives each line: `bytes` is the line without its terminator (a view into the chunk, valid
 * only during the call); when `tooLongBytes > 0` the line exceeded the limit, `bytes` is only its
 * head and the rest was skipped without being buffered.
 */
export type LineHandler = (lineNo: number, bytes: Buffer, tooLongBytes: number) => void;

/**
 * Splits a byte stream into lines over Buffers. This is the ingest hot path: complete lines inside
 * a chunk are handed out as zero-copy views, only a line spanning chunks is copied, and a line
 * longer than `maxLineBytes` is counted, not stored, so memory stays bounded by the limit.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private overflowHead: Buffer | null = null;
  private overflowLen = 0;
  private line = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Number of the last complete line handed out. */
  get lineNo(): number {
    return this.line;
  }

  /** Bytes of an unterminated line waiting for more input (for a truncated-stream report). */
  partial(): { bytes: Buffer; length: number } | null {
    if (this.overflowHead) return { bytes: this.overflowHead, length: this.overflowLen };
    if (this.pendingLen === 0) return null;
    return { bytes: Buffer.concat(this.pending, this.pendingLen), length: this.pendingLen };
  }

  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    const n = chunk.length;
    while (start < n) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? n : nl;
      const segLen = end - start;
      if (this.overflowHead) {
        this.overflowLen += segLen;
      } else if (this.pendingLen + segLen > this.maxLineBytes) {
        this.startOverflow(chunk, start, end);
      } else if (nl !== -1 && this.pendingLen === 0) {
        this.line++;
        onLine(this.line, stripCR(chunk.subarray(start, end)), 0);
        start = nl + 1;
        continue;
      } else if (segLen > 0) {
        // Copy: the chunk may be reused by the source once we return.
        this.pending.push(Buffer.from(chunk.subarray(start, end)));
        this.pendingLen += segLen;
      }
      if (nl === -1) return;
      this.emitPending(onLine);
      start = nl + 1;
    }
  }

  /** Hands out the last line when the input does not end with a newline. */
  end(onLine: LineHandler): void {
    if (this.overflowHead || this.pendingLen > 0) this.emitPending(onLine);
  }

  private startOverflow(chunk: Buffer, start: number, end: number): void {
    const head = Buffer.concat([...this.pending, chunk.subarray(start, end)]);
    this.overflowHead = Buffer.from(head.subarray(0, TOO_LONG_PREVIEW_BYTES));
    this.overflowLen = this.pendingLen + (end - start);
    this.pending = [];
    this.pendingLen = 0;
  }

  private emitPending(onLine: LineHandler): void {
    this.line++;
    if (this.overflowHead) {
      const head = this.overflowHead;
      const len = this.overflowLen;
      this.overflowHead = null;
      this.overflowLen = 0;
      onLine(this.line, head, len);
      return;
    }
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    onLine(this.line, stripCR(bytes), 0);
  }
}

function stripCR(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}
