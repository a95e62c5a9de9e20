import {
  MAX_RECORD_DEPTH,
  quarantineRecord,
  rejectionFromIssues,
  rejectTooDeep,
  unstorableAccountKey,
  unstorableEventKey,
} from '../../ingest/index.js';
import { ScaleMessage, storableText, unstorableText } from '../../contracts/index.js';
import type { QuarantinedMessage } from '../../store/index.js';
import { partitionOf, rejectedKey, rejectedLineId } from './config.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What a worker makes of one stream message: an event or account record to apply, or a
 * quarantine row with its reason (`forwarded`: a line the publisher rejected, not a bad message).
 */
/** A stream message the worker applies to an account's state. */
export type AppliedMessage = Exclude<ScaleMessage, { kind: 'rejected' }>;

export type Decoded =
  { ok: true; msg: AppliedMessage } | { ok: false; rejected: QuarantinedMessage; forwarded: boolean };

/**
 * Validates one message of a partition's subject. Anything with publish rights can write to the
 * stream, so a message that is not UTF-8 JSON, not a valid event or account record, or not of
 * this partition (the account hashes elsewhere: its state would be split) is quarantined with the
 * same reason codes `validate` gives bad lines, never applied and never silently dropped.
 */
export function decodeMessage(
  data: Uint8Array,
  meta: { seq: number; subject: string; partition: number; partitions: number },
): Decoded {
  const reject = (reason: string, message: string, text?: string): Decoded => {
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
  };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return reject('invalid_utf8', 'message is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return reject('invalid_json', `message is not JSON: ${(err as Error).message}`, text);
  }
  // The envelope is one level above the event or account record, which ingest held to the bound.
  const deep = rejectTooDeep(json, MAX_RECORD_DEPTH + 1);
  if (deep) return reject(deep.reason, `not a valid scale message: ${deep.message}`, text);
  const parsed = ScaleMessage.safeParse(json);
  if (!parsed.success) {
    const r = rejectionFromIssues(parsed.error.issues, json);
    return reject(r.reason, `not a valid scale message: ${r.message}`, text);
  }
  const msg = parsed.data;
  // Ids become text keys in PostgreSQL (a NUL fails the whole commit): refused as ingest does.
  const badKey =
    msg.kind === 'event'
      ? unstorableEventKey(msg.event)
      : msg.kind === 'account'
        ? unstorableAccountKey(msg.record)
        : undefined;
  if (badKey) return reject(badKey.reason, `not a valid scale message: ${badKey.message}`, text);
  const key =
    msg.kind === 'event'
      ? msg.event.account_id
      : msg.kind === 'account'
        ? msg.record.account_id
        : rejectedKey(msg.record.file, msg.record.line);
  const home = partitionOf(key, meta.partitions);
  if (home !== meta.partition)
    return reject(
      'misrouted',
      `${msg.kind === 'rejected' ? 'rejected line' : 'account'} ${JSON.stringify(key)} belongs to partition ${home}, not ${meta.partition} (publisher with another --partitions?)`,
      text,
    );
  if (msg.kind === 'rejected') {
    const r = msg.record;
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
  return { ok: true, msg };
}
