import { Option, type Command } from 'commander';

/** The reading flags every command that takes API log files shares (validate, ingest). */
export function addInputFlags(cmd: Command): Command {
  return cmd
    .option('--quarantine <file>', 'where rejected lines go (default: <first input>.quarantine.ndjson here)')
    .option('--json', 'print the summary as JSON')
    .addOption(
      new Option('--format <format>', 'input format')
        .choices(['auto', 'ndjson', 'csv', 'otlp'])
        .default('auto'),
    )
    .option('--csv-map <pairs>', 'CSV column names, FIELD=COLUMN,... (see docs/ingest.md)')
    .option('--otlp-account-attr <attr>', 'OTLP span attribute holding the account id (default enduser.id)')
    .option('--no-progress', 'no progress bar or progress log lines');
}
