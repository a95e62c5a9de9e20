import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DetectConfig, UserError } from '../../contracts/index.js';
import {
  checkInputFiles,
  createProgressReporter,
  defaultQuarantinePath,
  FileQuarantine,
} from '../../ingest/index.js';
import { analyzeFiles } from '../../pipeline/index.js';
import { renderHtmlReport } from '../../report/index.js';
import { addConfigFlags, configFromFlags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';
import { lines, requireUsableEvents } from '../usable-input.js';

interface AnalyzeFlags extends Record<string, unknown> {
  accounts?: string[];
  baseline?: string[];
  out: string;
  report?: string;
  quarantine?: string;
  progress: boolean;
  threads?: number;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('find extraction campaigns in API traffic and write findings (and an HTML report)')
    .argument('<traffic...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON, plain or gzip')
    .option('--accounts <file>', 'accounts NDJSON file (repeatable)', collect)
    .option('--baseline <file>', 'known-benign traffic to calibrate thresholds on (repeatable)', collect)
    .option('--out <file>', 'findings.v1 JSON output', 'findings.json')
    .option('--report <file>', 'self-contained HTML report')
    .option('--quarantine <file>', 'where rejected lines go')
    .option('--no-progress', 'no progress bar')
    .option(
      '--threads <n>',
      'partition worker threads for NDJSON traffic (1 = single-threaded; default: one per core, at most 2, for inputs of 32 MiB or more)',
      (v: string) => positiveInt(v, '--threads'),
    );
  addConfigFlags(cmd, DetectConfig).action(async (traffic: string[], flags: AnalyzeFlags) => {
    const config = configFromFlags(DetectConfig, flags);
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

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError('INVALID_ARGUMENT', `${flag}: expected a whole number of at least 1, got "${v}"`);
  return n;
}
