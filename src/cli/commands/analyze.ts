import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AnalyzeConfig, DetectConfig } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';
import { lines, requireUsableEvents } from '../usable-input.js';

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('find extraction campaigns in API traffic and write findings (and an HTML report)')
    .argument('<traffic...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON, plain or gzip');
  addConfigFlags(cmd, AnalyzeConfig);
  addConfigFlags(cmd, DetectConfig, { configFile: true }).action(async (traffic: string[], raw: Flags) => {
    // Each command loads its modules when it runs (see gateway.ts).
    const [
      { checkInputFiles, createProgressReporter, defaultQuarantinePath, FileQuarantine, parseCsvMap },
      { analyzeFiles },
      { renderHtmlReport },
    ] = await Promise.all([
      import('../../ingest/index.js'),
      import('../../pipeline/index.js'),
      import('../../report/index.js'),
    ]);
    const flags = configFromFlags(AnalyzeConfig, raw);
    const config = configFromFlags(DetectConfig, raw, { cmd, file: raw.config });
    await checkInputFiles([...traffic, ...(flags.accounts ?? []), ...(flags.baseline ?? [])]);
    const quarantinePath = resolve(flags.quarantine ?? defaultQuarantinePath(traffic[0]!));
    checkOutputFile('--out', flags.out);
    if (flags.report) checkOutputFile('--report', flags.report);
    checkOutputFile('--quarantine', quarantinePath);
    const quarantine = await FileQuarantine.open(quarantinePath);
    const progress = flags.progress ? createProgressReporter() : null;
    try {
      const started = Date.now();
      const { detail, report } = await analyzeFiles(traffic, {
        accounts: flags.accounts,
        baseline: flags.baseline,
        config,
        quarantine,
        threads: flags.threads,
        format: flags.format,
        csvMap: flags.csvMap ? parseCsvMap(flags.csvMap) : undefined,
        otlpAccountAttribute: flags.otlpAccountAttr,
        onScoring: (accounts) => {
          progress?.stop();
          if (progress && process.stderr.isTTY)
            process.stderr.write(
              `scoring ${accounts.toLocaleString('en')} accounts, linking and clustering ...\n`,
            );
        },
        onProgress: progress ? (p) => progress.onProgress(p) : undefined,
      });
      progress?.stop();
      const quarantined = { path: quarantinePath, lines: quarantine.count };
      requireUsableEvents(traffic, report, quarantined);
      const f = detail.findings;
      await writeFile(flags.out, `${JSON.stringify(f, null, 2)}\n`);
      if (flags.report) await writeFile(flags.report, renderHtmlReport(detail, { generatedFrom: traffic }));
      const levels = { none: 0, monitor: 0, review: 0, act: 0 };
      for (const a of f.accounts) levels[a.level]++;
      const secs = (Date.now() - started) / 1000;
      process.stdout.write(
        [
          `read ${report.events} events from ${f.input.accounts} accounts in ${secs.toFixed(1)} s (${Math.round(report.events / secs)} events/s); ${report.rejectedLines} lines rejected`,
          `accounts: ${levels.act} act, ${levels.review} review, ${levels.monitor} monitor, ${levels.none} none`,
          `clusters: ${f.clusters.length} (${f.clusters.filter((c) => c.level === 'act').length} at act)`,
          ...f.clusters
            .slice(0, 5)
            .map(
              (c) =>
                `  ${c.cluster_id} ${c.level} score ${c.score} - ${c.account_ids.length} accounts, ${c.events} events`,
            ),
          `findings: ${flags.out}${flags.report ? `\nreport: ${flags.report}` : ''}`,
          `quarantine: ${quarantinePath} (${lines(quarantine.count)})`,
        ].join('\n') + '\n',
      );
    } finally {
      progress?.stop();
      await quarantine.close();
    }
  });
}
