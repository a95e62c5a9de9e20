import { basename, resolve } from 'node:path';
import type { IngestSummary } from '../contracts/index.js';
import type { CsvColumnMap } from './csv-mapping.js';
import { IngestReport } from './ingest-report.js';
import type { FormatOption } from './input-format.js';
import { FileQuarantine } from './quarantine-sink.js';
import type { IngestProgress } from './read-records.js';
import { readInput } from './read-input.js';
import { checkInputFiles } from './input-file.js';

export interface ValidateOptions {
  accounts?: string;
  /** Quarantine file; default defaultQuarantinePath(first input). */
  quarantine?: string;
  format?: FormatOption;
  csvMap?: CsvColumnMap;
  otlpAccountAttribute?: string;
  onProgress?: (p: IngestProgress) => void;
}

export interface ValidateResult {
  summary: IngestSummary;
  quarantine: { path: string; lines: number };
}

/**
 * Where rejected lines go when no path is given: in the working directory, named after the
 * first input (inputs may sit in a read-only or shared folder).
 */
export function defaultQuarantinePath(firstInput: string, dir = process.cwd()): string {
  const stem = basename(firstInput)
    .replace(/(\.gz)?$/i, '')
    .replace(/\.[^.]*$/, '');
  return resolve(dir, `${stem || 'input'}.quarantine.ndjson`);
}

/** Reads every file to the end, keeping nothing but the counts; rejected lines go to quarantine. */
export async function validateFiles(
  paths: readonly string[],
  opts: ValidateOptions = {},
): Promise<ValidateResult> {
  await checkInputFiles(opts.accounts ? [...paths, opts.accounts] : paths);
  const quarantinePath = resolve(opts.quarantine ?? defaultQuarantinePath(paths[0] ?? 'input'));
  const quarantine = await FileQuarantine.open(quarantinePath);
  const report = new IngestReport();
  // Counting happens in the report; the records themselves are not kept.
  const discard = (): void => undefined;
  try {
    await readInput(
      paths,
      { accounts: discard, events: discard },
      {
        accounts: opts.accounts ? [opts.accounts] : [],
        quarantine,
        report,
        format: opts.format,
        csvMap: opts.csvMap,
        otlpAccountAttribute: opts.otlpAccountAttribute,
        onProgress: opts.onProgress,
      },
    );
  } finally {
    await quarantine.close();
  }
  return { summary: report.toJSON(), quarantine: { path: quarantinePath, lines: quarantine.count } };
}

/** The human summary `distillguard validate` prints. */
export function formatValidateSummary(r: ValidateResult): string {
  const s = r.summary;
  const n = (x: number): string => x.toLocaleString('en');
  const lines = [
    `events      ${n(s.events)}`,
    `accounts    ${n(s.accounts)}${s.account_records > 0 ? ` (${n(s.account_records)} account records)` : ''}`,
    `time range  ${s.from ?? '-'} .. ${s.to ?? '-'}`,
    `rejected    ${n(s.rejected_lines)} line${s.rejected_lines === 1 ? '' : 's'}`,
  ];
  for (const [reason, count] of Object.entries(s.rejected)) lines.push(`  ${reason.padEnd(16)} ${n(count)}`);
  lines.push(`duplicates  ${n(s.duplicates)} (dropped)`);
  lines.push(`empty lines ${n(s.empty_lines)} (skipped)`);
  if (s.skipped_spans > 0)
    lines.push(`not model calls ${n(s.skipped_spans)} (skipped: non-GenAI spans, embeddings, tool spans)`);
  lines.push('files');
  for (const f of s.files) {
    const kind = `${f.format}${f.gzip ? '+gzip' : ''}`;
    const note = f.complete ? '' : '  INCOMPLETE (read stopped early, see quarantine)';
    lines.push(
      `  ${f.path}  ${kind}, ${n(f.lines)} lines, ${n(f.events)} events, ${n(f.rejected)} rejected${note}`,
    );
  }
  lines.push(
    `quarantine  ${r.quarantine.path} (${n(r.quarantine.lines)} line${r.quarantine.lines === 1 ? '' : 's'})`,
  );
  return lines.join('\n');
}
