import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FindingsExportConfig, UserError } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';

// Flags in, one call into src/intel/ocsf, one line out.

export function registerFindings(program: Command): void {
  const findings = program.command('findings').description('work with a findings.v1 file');
  addConfigFlags(
    findings
      .command('export')
      .description('findings -> OCSF 1.5 Detection Finding records for a SIEM (NDJSON, see docs/siem.md)'),
    FindingsExportConfig,
  ).action(async (raw: Flags) => {
    const [{ findingsToOcsf, ocsfNdjson, readFindingsFile }, { loadResponsePolicy }] = await Promise.all([
      import('../../intel/index.js'),
      import('../../respond/index.js'),
    ]);
    const flags = configFromFlags(FindingsExportConfig, raw);
    checkOutputFile('--out', flags.out);
    const doc = readFindingsFile(flags.findings);
    const { policy } = flags.policy ? loadResponsePolicy(flags.policy) : loadResponsePolicy();
    const records = findingsToOcsf(doc, { minLevel: flags.minLevel, actions: policy });
    try {
      writeFileSync(flags.out, ocsfNdjson(records));
    } catch (err) {
      throw new UserError('INVALID_ARGUMENT', `--out ${flags.out}: cannot write: ${(err as Error).message}`);
    }
    const clusters = records.filter((r) => r.unmapped.distillguard.kind === 'cluster').length;
    process.stdout.write(
      `wrote ${flags.out}: ${records.length} OCSF Detection Findings (${clusters} clusters, ${records.length - clusters} accounts at ${flags.minLevel} or above)\n`,
    );
  });
}
