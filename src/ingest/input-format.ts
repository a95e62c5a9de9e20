import type { InputFormatName } from '../contracts/index.js';
import { formatOfRecords } from './formats/log-formats.js';

export type InputFormat = InputFormatName;
export type FormatOption = InputFormat | 'auto';

/** How much of a file's start the detection looks at, and how many records at most. */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_RECORDS = 8;

/** Parquet files start (and end) with these four bytes. */
export const isParquetHead = (head: Buffer): boolean =>
  head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;

/**
 * Picks the format of one file: an explicit choice wins; else Parquet by its magic bytes `PAR1`;
 * else a `.csv` name (also `.csv.gz`); else the content of its first records (at most 8 within
 * its first 64 KiB): OTLP, a gateway or observability log format, or native NDJSON. Records that
 * match more than one format are a user error (UNKNOWN_FORMAT), never a guess.
 */
export function detectFormat(path: string, head: Buffer, option: FormatOption = 'auto'): InputFormat {
  if (option !== 'auto') return option;
  if (isParquetHead(head)) return 'parquet';
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  const text = head
    .subarray(0, SNIFF_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('{') && text.includes('"resourceSpans"')) return 'otlp';
  return formatOfRecords(path, firstRecords(text));
}

/**
 * The first records of a text head: whole JSON lines; or, for a JSON array or one pretty-printed
 * object (the exports of Langfuse and LiteLLM's `/spend/logs`), the first object, found by
 * matching its braces. Bounded by the head; a record cut by the head's end is not used.
 */
export function firstRecords(text: string): unknown[] {
  const records: unknown[] = [];
  const start = text.trimStart();
  if (start.startsWith('[') || (start.startsWith('{') && !firstLineIsJson(start))) {
    const from = start.startsWith('[') ? start.indexOf('{') : 0;
    const end = from < 0 ? -1 : matchingBrace(start, from);
    if (end > 0) {
      const r = parse(start.slice(from, end + 1));
      if (r !== undefined) records.push(r);
    }
    return records;
  }
  let pos = 0;
  while (records.length < SNIFF_RECORDS) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break; // the last line may be cut by the head's end
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    if (line === '') continue;
    const r = parse(line);
    if (r !== undefined) records.push(r);
  }
  return records;
}

function firstLineIsJson(text: string): boolean {
  const nl = text.indexOf('\n');
  return parse(nl < 0 ? text : text.slice(0, nl)) !== undefined;
}

function parse(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

/** Index of the brace closing the object that opens at `from`, skipping strings; -1 if cut off. */
function matchingBrace(s: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
