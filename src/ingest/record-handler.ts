import type { RejectReason } from '../contracts/index.js';

/** What a format parser reports for each line or record it reads. */
export interface RecordHandler<T> {
  accept(value: T, lineNo: number): void;
  reject(
    lineNo: number,
    reason: RejectReason,
    message: string,
    raw: Buffer | string,
    rawBytes?: number,
    utf8?: boolean,
  ): void;
  empty(): void;
  /** A record that is valid but not an API exchange (e.g. a non-GenAI trace span). */
  skipped(): void;
}

/** Turns split lines into records of one format. Lines arrive in order; `end` follows the last. */
export interface FormatParser {
  line(lineNo: number, bytes: Buffer, tooLongBytes: number): void;
  end(): void;
}

// fatal: invalid UTF-8 must be reported, not silently replaced with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The checks every text format shares: over-long lines and invalid UTF-8 are rejected, blank lines
 * counted. Returns the decoded text, or null when the line was dealt with here.
 */
export function decodeLine(
  handler: RecordHandler<unknown>,
  lineNo: number,
  bytes: Buffer,
  tooLongBytes: number,
  maxLineBytes: number,
): string | null {
  if (tooLongBytes > 0) {
    handler.reject(
      lineNo,
      'line_too_long',
      `line is ${tooLongBytes} bytes, over the ${maxLineBytes}-byte limit; it was skipped unread`,
      bytes,
      tooLongBytes,
      false,
    );
    return null;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    handler.reject(
      lineNo,
      'invalid_utf8',
      `line is not valid UTF-8 (${invalidUtf8Offset(bytes)})`,
      bytes,
      bytes.length,
      false,
    );
    return null;
  }
  if (isBlank(text)) {
    handler.empty();
    return null;
  }
  return text;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

function invalidUtf8Offset(b: Buffer): string {
  const at = firstInvalidUtf8(b);
  return at < 0 ? 'undecodable bytes' : `first bad byte 0x${b[at]!.toString(16)} at byte ${at}`;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (only run on failure). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    const c1 = b[i + 1] ?? 0;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return i;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length || ((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}
