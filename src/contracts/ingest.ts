import { z } from 'zod';

/**
 * Why ingest refused a line. Stable codes: they appear in quarantine files, summaries and HTTP
 * bodies, so a code never changes meaning once published.
 */
export const RejectReason = z.enum([
  'invalid_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'invalid_value',
  'bad_timestamp',
  'unknown_role',
  'line_too_long',
  'invalid_utf8',
  'duplicate_id',
  'invalid_csv',
  'invalid_span',
  'truncated_gzip',
  'corrupt_gzip',
  'read_error',
  'too_deep',
  'invalid_text',
  'encrypted_payload',
  'invalid_parquet',
]);
export type RejectReason = z.infer<typeof RejectReason>;

/** One rejected line in a quarantine file (NDJSON, one record per line). */
export const QuarantineRecord = z.looseObject({
  file: z.string(),
  line: z.int().min(0),
  reason: RejectReason,
  message: z.string(),
  /** The line as read, cut to a sane size; base64 when it was not valid UTF-8. */
  raw: z.string(),
  raw_encoding: z.enum(['utf8', 'base64']),
  raw_bytes: z.int().min(0),
  raw_truncated: z.boolean(),
});
export type QuarantineRecord = z.infer<typeof QuarantineRecord>;

/** The formats a file can be read as (docs/ingest.md "Formats"). */
export const InputFormatName = z.enum([
  'ndjson',
  'csv',
  'otlp',
  'litellm',
  'cloudflare',
  'kong',
  'langfuse',
  'parquet',
]);
export type InputFormatName = z.infer<typeof InputFormatName>;

export const IngestFileSummary = z.looseObject({
  path: z.string(),
  format: InputFormatName,
  gzip: z.boolean(),
  bytes: z.int().min(0),
  lines: z.int().min(0),
  events: z.int().min(0),
  rejected: z.int().min(0),
  empty_lines: z.int().min(0),
  complete: z.boolean(),
});
export type IngestFileSummary = z.infer<typeof IngestFileSummary>;

/** What an ingest run read: the `validate` summary and the `input` block of findings. */
export const IngestSummary = z.looseObject({
  events: z.int().min(0),
  accounts: z.int().min(0),
  account_records: z.int().min(0),
  from: z.string().nullable(),
  to: z.string().nullable(),
  rejected_lines: z.int().min(0),
  rejected: z.record(z.string(), z.int().min(0)),
  duplicates: z.int().min(0),
  empty_lines: z.int().min(0),
  skipped_spans: z.int().min(0),
  bytes: z.int().min(0),
  files: z.array(IngestFileSummary),
});
export type IngestSummary = z.infer<typeof IngestSummary>;
