import {
  DEFAULT_MAX_LINE_BYTES,
  EventLineScanner,
  MAX_RECORD_DEPTH,
  quarantineRecord,
  SavedScans,
  ScannedLine,
  slotText,
  type EventLineView,
  rejectionFromIssues,
  rejectTooDeep,
  unstorableAccountKey,
  unstorableEventKey,
} from '../../ingest/index.js';
import { ScaleMessage, storableText, unstorableText } from '../../contracts/index.js';
import type { QuarantinedMessage } from '../../store/index.js';
import { partitionOf, rejectedKey, rejectedLineId } from './topology.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What a worker makes of one stream message: an event or account record to apply, or a
 * quarantine row with its reason (`forwarded`: a line the publisher rejected, not a bad message).
 */
/** A stream message the worker applies to an account's state. */
export type AppliedMessage = Exclude<ScaleMessage, { kind: 'rejected' }> | ScannedEventMessage;

/**
 * An event message the fast scanner vouched for: its event's bytes and where the scan results
 * are kept (see ScannedEvents), applied with DetectionEngine.addLine as `analyze` does.
 */
export interface ScannedEventMessage {
  kind: 'scanned';
  id: string;
  accountId: string;
  bytes: Buffer;
  /** Index of its scan results in the batch's ScannedEvents. */
  index: number;
}

/** What the publisher writes before an event (JSON.stringify of `{ kind: 'event', event }`). */
const EVENT_HEAD = Buffer.from('{"kind":"event","event":');
const CLOSE_BRACE = 125;

/**
 * The fast decode of a batch's event messages. Why: JSON.parse plus the zod schema of every
 * message, and then extractFeatures walking the parsed objects again, were most of a worker's CPU
 * per event beyond what batch `analyze` spends (which scans lines with EventLineScanner). A message
 * exactly as the publisher writes it, `{"kind":"event","event":` + an event the scanner vouches
 * for + `}`, is a valid ScaleMessage (the scanner accepts only what JSON.parse plus validateEvent
 * accept, and the envelope has no other key); anything else takes the ordinary path, which
 * validates and quarantines as before. The scan results are kept per message (one batch at a
 * time) so the apply step, inside the transaction, reads them back without scanning again.
 */
export class ScannedEvents {
  private readonly scanner = new EventLineScanner();
  private readonly view = new ScannedLine();
  private saved = new SavedScans();
  private count = 0;

  /** Starts a batch of up to `capacity` messages (earlier results are forgotten). */
  reset(capacity: number): void {
    if (this.saved.capacity < capacity) this.saved = new SavedScans(capacity);
    this.count = 0;
  }

  /** The message as a scanned event, or null when the ordinary path must decide. */
  tryEvent(data: Uint8Array): ScannedEventMessage | null {
    const n = data.byteLength;
    if (n <= EVENT_HEAD.length || data[n - 1] !== CLOSE_BRACE) return null;
    if (this.count >= this.saved.capacity) return null;
    const buf = Buffer.from(data.buffer, data.byteOffset, n);
    if (buf.compare(EVENT_HEAD, 0, EVENT_HEAD.length, 0, EVENT_HEAD.length) !== 0) return null;
    const bytes = buf.subarray(EVENT_HEAD.length, n - 1);
    const s = this.scanner;
    if (!s.scan(bytes, DEFAULT_MAX_LINE_BYTES)) return null;
    const index = this.count++;
    this.saved.save(s, index);
    return {
      kind: 'scanned',
      id: slotText(bytes, s.id),
      accountId: slotText(bytes, s.accountId),
      bytes,
      index,
    };
  }

  /** The scanned event's fields (valid until the next call). */
  line(m: ScannedEventMessage): EventLineView {
    if (!this.view.load(m.bytes, this.saved.ints, this.saved.nums, m.index, 0))
      throw new Error(`scan results of message ${m.index} are missing`);
    return this.view;
  }
}

export type Decoded =
  { ok: true; msg: AppliedMessage } | { ok: false; rejected: QuarantinedMessage; forwarded: boolean };

/**
 * Validates one message of a partition's subject. Anything with publish rights can write to the
 * stream, so a message that is not UTF-8 JSON, not a valid event or account record, or not of
 * this partition (the account hashes elsewhere: its state would be split) is quarantined with the
 * same reason codes `validate` gives bad lines, never applied and never silently dropped.
 */
export function decodeMessage(data: Uint8Array, meta: MessageMeta, scanned?: ScannedEvents): Decoded {
  const fast = scanned?.tryEvent(data);
  // A misrouted event takes the ordinary path, which quarantines it with its reason.
  if (fast && partitionOf(fast.accountId, meta.partitions) === meta.partition) return { ok: true, msg: fast };
  const parsed = parseScaleMessage(data, meta);
  if (!parsed.ok) return parsed.decoded;
  const { msg, text } = parsed;
  // Ids become text keys in PostgreSQL (a NUL fails the whole commit): refused as ingest does.
  const badKey =
    msg.kind === 'event'
      ? unstorableEventKey(msg.event)
      : msg.kind === 'account'
        ? unstorableAccountKey(msg.record)
        : undefined;
  if (badKey) return reject(data, meta, badKey.reason, `not a valid scale message: ${badKey.message}`, text);
  const key =
    msg.kind === 'event'
      ? msg.event.account_id
      : msg.kind === 'account'
        ? msg.record.account_id
        : rejectedKey(msg.record.file, msg.record.line);
  const home = partitionOf(key, meta.partitions);
  if (home !== meta.partition)
    return reject(
      data,
      meta,
      'misrouted',
      `${msg.kind === 'rejected' ? 'rejected line' : 'account'} ${JSON.stringify(key)} belongs to partition ${home}, not ${meta.partition} (publisher with another --partitions?)`,
      text,
    );
  if (msg.kind === 'rejected') return forwardedRejection(meta, msg.record);
  return { ok: true, msg };
}

type MessageMeta = { seq: number; subject: string; partition: number; partitions: number };

/** The message as a ScaleMessage (UTF-8, JSON, within the depth bound, valid shape), or its rejection. */
function parseScaleMessage(
  data: Uint8Array,
  meta: MessageMeta,
): { ok: true; msg: ScaleMessage; text: string } | { ok: false; decoded: Decoded } {
  const fail = (reason: string, message: string, text?: string) => ({
    ok: false as const,
    decoded: reject(data, meta, reason, message, text),
  });
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return fail('invalid_utf8', 'message is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('invalid_json', `message is not JSON: ${(err as Error).message}`, text);
  }
  // The envelope is one level above the event or account record, which ingest held to the bound.
  const deep = rejectTooDeep(json, MAX_RECORD_DEPTH + 1);
  if (deep) return fail(deep.reason, `not a valid scale message: ${deep.message}`, text);
  const parsed = ScaleMessage.safeParse(json);
  if (!parsed.success) {
    const r = rejectionFromIssues(parsed.error.issues, json);
    return fail(r.reason, `not a valid scale message: ${r.message}`, text);
  }
  return { ok: true, msg: parsed.data, text };
}

/** Quarantines the message itself: its raw bytes (or decoded text) with the reason. */
function reject(
  data: Uint8Array,
  meta: MessageMeta,
  reason: string,
  message: string,
  text?: string,
): Decoded {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const q = quarantineRecord(
    meta.subject,
    meta.seq,
    'invalid_value',
    message,
    text ?? buf,
    data.byteLength,
    text !== undefined,
  );
  return {
    ok: false,
    forwarded: false,
    rejected: {
      seq: meta.seq,
      subject: meta.subject,
      reason,
      // Stored in PostgreSQL: the record's message has any NUL the parser quoted escaped.
      message: q.message,
      raw: q.raw,
      raw_encoding: q.raw_encoding,
      raw_bytes: q.raw_bytes,
      raw_truncated: q.raw_truncated,
    },
  };
}

/** A line a publisher rejected, forwarded to be stored with the batch. */
function forwardedRejection(
  meta: MessageMeta,
  r: Extract<ScaleMessage, { kind: 'rejected' }>['record'],
): Decoded {
  // A publisher's record is stored as text too: a NUL in its text is escaped, or kept as base64.
  const rawPlain = r.raw_encoding === 'base64' || unstorableText(r.raw) === undefined;
  return {
    ok: false,
    forwarded: true,
    rejected: {
      seq: meta.seq,
      subject: meta.subject,
      reason: r.reason,
      message: storableText(`${r.file}:${r.line}: ${r.message}`),
      raw: rawPlain ? r.raw : Buffer.from(r.raw, 'utf8').toString('base64'),
      raw_encoding: rawPlain ? r.raw_encoding : 'base64',
      raw_bytes: r.raw_bytes,
      raw_truncated: r.raw_truncated,
      line_key: rejectedLineId(r),
    },
  };
}
