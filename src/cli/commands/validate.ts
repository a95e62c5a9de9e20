import { Option } from 'commander';
import type { Command } from 'commander';
import {
  createProgressReporter,
  formatValidateSummary,
  parseCsvMap,
  validateFiles,
} from '../../ingest/index.js';
import type { FormatOption } from '../../ingest/index.js';

interface ValidateFlags {
  accounts?: string;
  quarantine?: string;
  json?: boolean;
  format: FormatOption;
  csvMap?: string;
  otlpAccountAttr?: string;
  progress: boolean;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'read API logs, print a summary, and quarantine bad lines with their line numbers and reasons',
    )
    .argument('<files...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON traces, plain or gzip')
    .option('--accounts <file>', 'accounts NDJSON file to validate as well')
    .option('--quarantine <file>', 'where rejected lines go (default: <first input>.quarantine.ndjson here)')
    .option('--json', 'print the summary as JSON')
    .addOption(
      new Option('--format <format>', 'input format')
        .choices(['auto', 'ndjson', 'csv', 'otlp'])
        .default('auto'),
    )
    .option('--csv-map <pairs>', 'CSV column names, FIELD=COLUMN,... (see docs/ingest.md)')
    .option('--otlp-account-attr <attr>', 'OTLP span attribute holding the account id (default enduser.id)')
    .option('--no-progress', 'no progress bar or progress log lines')
    .action(async (files: string[], flags: ValidateFlags) => {
      const progress = flags.progress ? createProgressReporter() : null;
      try {
        const result = await validateFiles(files, {
          accounts: flags.accounts,
          quarantine: flags.quarantine,
          format: flags.format,
          csvMap: flags.csvMap ? parseCsvMap(flags.csvMap) : undefined,
          otlpAccountAttribute: flags.otlpAccountAttr,
          onProgress: progress ? (p) => progress.onProgress(p) : undefined,
        });
        progress?.stop();
        process.stdout.write(
          flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatValidateSummary(result)}\n`,
        );
      } finally {
        progress?.stop();
      }
    });
}
