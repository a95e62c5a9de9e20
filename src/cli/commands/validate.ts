import type { Command } from 'commander';
import { ValidateConfig } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';
import { requireUsableEvents } from '../usable-input.js';

export function registerValidate(program: Command): void {
  addConfigFlags(
    program
      .command('validate')
      .description(
        'read API logs, print a summary, and quarantine bad lines with their line numbers and reasons',
      )
      .argument('<files...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON traces, plain or gzip'),
    ValidateConfig,
  ).action(async (files: string[], raw: Flags) => {
    const {
      createProgressReporter,
      defaultQuarantinePath,
      formatValidateSummary,
      parseCsvMap,
      validateFiles,
    } = await import('../../ingest/index.js');
    const flags = configFromFlags(ValidateConfig, raw);
    const quarantine = flags.quarantine ?? defaultQuarantinePath(files[0] ?? 'input');
    checkOutputFile('--quarantine', quarantine);
    const progress = flags.progress ? createProgressReporter() : null;
    try {
      const result = await validateFiles(files, {
        accounts: flags.accounts,
        quarantine,
        format: flags.format,
        csvMap: flags.csvMap ? parseCsvMap(flags.csvMap) : undefined,
        otlpAccountAttribute: flags.otlpAccountAttr,
        onProgress: progress ? (p) => progress.onProgress(p) : undefined,
      });
      progress?.stop();
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatValidateSummary(result)}\n`,
      );
      // The summary stays on stdout; an accounts-only run is a usable run.
      if (result.summary.account_records === 0)
        requireUsableEvents(
          files,
          { events: result.summary.events, rejectedLines: result.summary.rejected_lines },
          result.quarantine,
        );
    } finally {
      progress?.stop();
    }
  });
}
