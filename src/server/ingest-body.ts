import { createHash } from 'node:crypto';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  DEFAULT_MAX_LINE_BYTES,
  parseJsonLine,
  quarantineRecord,
  rejectTooDeep,
  validateAccount,
  validateEvent,
  type LineResult,
} from '../ingest/index.js';
import {
  UserError,
  WorkSlice,
  type AccountRecord,
  type ApiEvent,
  type QuarantineRecord,
  type RejectReason,
} from '../contracts/index.js';

const gunzipAsync = promisify(gunzip);

export interface LineError {
  line: number;
  reason: RejectReason;
  message: string;
}

export interface ParsedBatch<T> {
  items: T[];
  /** The source text of each item (NDJSON lines; undefined for JSON-array items). */
  raw: (string | undefined)[];
  errors: LineError[];
  /** The text of each rejected line (a JSON-array item re-serialised), beside `errors`. */
  rejectedText: string[];
  /** Non-empty lines (or array elements) read. */
  lines: number;
}

/** Undoes `Content-Encoding: gzip`, refusing bombs: the output is capped at `maxBytes`. */
export async function decodeBody(
  raw: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return raw;
  if (enc !== 'gzip' && enc !== 'x-gzip')
    throw new UserError(
      'INVALID_INPUT',
      `Content-Encoding ${enc} is not supported; send gzip or no encoding.`,
    );
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw Object.assign(new Error(`Decompressed body is over ${maxBytes} bytes`), { statusCode: 413 });
    throw new UserError('INVALID_INPUT', 'Body is not valid gzip although Content-Encoding says gzip.');
  }
}

/** Stands for a too-deep JSON-array item in quarantine records (it cannot be re-serialised). */
const TOO_DEEP_TEXT = '(item not kept: nested too deep to re-serialise)';

const withItemPrefix = <T>(r: LineResult<T>, i: number): LineResult<T> =>
  r.ok ? r : { ...r, message: `item ${i + 1}: ${r.message}` };

/**
 * Reads a batch as NDJSON (one JSON object per line) or, when it starts with `[`, as a JSON array.
 * Each line is judged alone by ingest's rules, so the server and `analyze` agree on validity.
 */
async function parseBatch<T>(
  body: Buffer,
  maxItemBytes: number,
  fromValue: (v: unknown) => LineResult<T>,
): Promise<ParsedBatch<T>> {
  const text = body.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(body))
    throw new UserError('INVALID_INPUT', 'Body is not valid UTF-8; send UTF-8 encoded JSON.');
  const trimmed = text.trimStart();
  if (trimmed.length === 0)
    throw new UserError('INVALID_INPUT', 'Body is empty; send NDJSON (one event per line) or a JSON array.');
  const out: ParsedBatch<T> = { items: [], raw: [], errors: [], rejectedText: [], lines: 0 };
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch {
      throw new UserError(
        'INVALID_INPUT',
        'Body starts with [ but is not a valid JSON array; send a JSON array or NDJSON.',
      );
    }
    if (!Array.isArray(arr)) throw new UserError('INVALID_INPUT', 'Body is not a JSON array.');
    // A 10,000-line batch must not hold every other request, an enforcement point's decision
    // lookup above all, for its whole parse: about a millisecond of it per turn of the loop.
    const slice = new WorkSlice();
    for (let i = 0; i < arr.length; i++) {
      if (slice.due()) await slice.yield();
      const v: unknown = arr[i];
      out.lines++;
      // Depth first: a too-deep item cannot be re-serialised (JSON.stringify overflows the stack).
      const deep = rejectTooDeep(v);
      const text = deep ? null : (JSON.stringify(v) ?? String(v));
      const size = text === null ? 0 : Buffer.byteLength(text);
      // The per-item limit is NDJSON's per-line limit, on the item as re-serialised.
      const r: LineResult<T> = deep
        ? { ok: false, ...deep, message: `item ${i + 1}: ${deep.message}` }
        : size > maxItemBytes
          ? {
              ok: false,
              reason: 'line_too_long',
              message: `item ${i + 1} is ${size} bytes as JSON, over the ${maxItemBytes}-byte limit`,
            }
          : withItemPrefix(fromValue(v), i);
      if (r.ok) {
        out.items.push(r.value);
        out.raw.push(undefined);
      } else {
        out.errors.push({ line: i + 1, reason: r.reason, message: r.message });
        out.rejectedText.push(text ?? TOO_DEEP_TEXT);
      }
    }
    return out;
  }
  const lines = text.split('\n');
  const slice = new WorkSlice();
  for (let i = 0; i < lines.length; i++) {
    if (slice.due()) await slice.yield();
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) continue;
    out.lines++;
    const r = parseJsonLine(line, i + 1, maxItemBytes, fromValue);
    if (r.ok) {
      out.items.push(r.value);
      out.raw.push(line);
    } else {
      out.errors.push({ line: i + 1, reason: r.reason, message: r.message });
      out.rejectedText.push(line);
    }
  }
  return out;
}

/**
 * A batch's rejected lines as quarantine records, for the scale-out workers. Their source names
 * the route and a hash of the (decoded) body, so a client re-sending the same body — a retry —
 * forwards the same lines, which are counted once, while another body's bad lines count anew.
 */
export function rejectedRecords(
  route: string,
  body: Buffer,
  batch: Pick<ParsedBatch<unknown>, 'errors' | 'rejectedText'>,
): QuarantineRecord[] {
  if (batch.errors.length === 0) return [];
  const source = `${route} body ${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;
  return batch.errors.map((e, i) =>
    quarantineRecord(source, e.line, e.reason, e.message, batch.rejectedText[i]!),
  );
}

export function parseEventBatch(
  body: Buffer,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<ParsedBatch<ApiEvent>> {
  return parseBatch(body, maxLineBytes, validateEvent);
}

export function parseAccountBatch(
  body: Buffer,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<ParsedBatch<AccountRecord>> {
  return parseBatch(body, maxLineBytes, validateAccount);
}

/** Keeps the first occurrence of each id; later ones in the same batch count as duplicates. */
export function dedupeById<T extends { id: string }>(
  batch: Pick<ParsedBatch<T>, 'items' | 'raw'>,
): { unique: T[]; raw: (string | undefined)[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: T[] = [];
  const raw: (string | undefined)[] = [];
  batch.items.forEach((it, i) => {
    if (seen.has(it.id)) return;
    seen.add(it.id);
    unique.push(it);
    raw.push(batch.raw[i]);
  });
  return { unique, raw, duplicates: batch.items.length - unique.length };
}
