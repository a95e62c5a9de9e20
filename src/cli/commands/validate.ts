import type { Command } from 'commander';
import { addInputFlags } from './input-flags.js';
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
  addInputFlags(
    program
      .command('validate')
      .description(
        'read API logs, print a summary, and quarantine bad lines with their line numbers and reasons',
      )
      .argument('<files...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON traces, plain or gzip')
      .option('--accounts <file>', 'accounts NDJSON file to validate as well'),
  ).action(async (files: string[], flags: ValidateFlags) => {
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
