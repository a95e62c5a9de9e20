import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { formatValidateSummary as validationSummary, IngestReport } from '../../ingest/index.js';
import type { ScalePublisher } from '../../pipeline/index.js';
import { IngestConfig } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { addStreamFlags, addTopologyFlags, durationMs, streamSetupFromFlags } from './scale-flags.js';
import { checkOutputFile } from '../output-paths.js';
import { requireUsableEvents } from '../usable-input.js';

export function registerIngest(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('read API logs (validated as by validate) and publish them to the scale-out stream')
    .argument('<files...>', 'event files: NDJSON/JSONL, CSV or OTLP/JSON traces, plain or gzip');
  addConfigFlags(cmd, IngestConfig);
  addStreamFlags(cmd);
  // The same topology flags as `serve --nats`, `gateway --nats` and `worker`, from one typed config.
  addTopologyFlags(cmd).action(async (files: string[], raw: Flags) => {
    // Each command loads its modules when it runs (see gateway.ts).
    const [ingest, { connectNats, ensureStream, ScalePublisher }] = await Promise.all([
      import('../../ingest/index.js'),
      import('../../pipeline/index.js'),
    ]);
    const { checkInputFiles, createProgressReporter, defaultQuarantinePath, FileQuarantine } = ingest;
    const { formatValidateSummary, IngestReport, parseCsvMap, readInput } = ingest;
    const flags = configFromFlags(IngestConfig, raw);
    const { topology, streamOptions } = streamSetupFromFlags(raw);
    const fullWaitMs = durationMs('--full-wait', flags.fullWait);
    const url = flags.nats;
    await checkInputFiles(flags.accounts ? [...files, flags.accounts] : files);
    const quarantinePath = resolve(flags.quarantine ?? defaultQuarantinePath(files[0] ?? 'input'));
    checkOutputFile('--quarantine', quarantinePath);
    const nc = await connectNats(url);
    const progress = flags.progress ? createProgressReporter() : null;
    const quarantine = await FileQuarantine.open(quarantinePath);
    const report = new IngestReport();
    const started = performance.now();
    try {
      await ensureStream(nc, topology, streamOptions);
      const pub = new ScalePublisher(nc, topology, {
        fullWaitMs,
        ...(flags.rate === undefined ? {} : { eventsPerSecond: flags.rate }),
        onFull: () =>
          process.stderr.write(
            `warning: stream ${topology.stream} is full; waiting up to ${flags.fullWait} for workers to make room\n`,
          ),
      });
      // Rejected lines go to the local quarantine file and, counted once, to the workers: their
      // findings report input.rejected_lines as batch analyze of the same files does.
      const sink = pub.forwardingQuarantine(quarantine);
      const onProgress = progress ? progress.onProgress.bind(progress) : undefined;
      await readInput(
        files,
        {
          accounts: (records) => pub.publishAccounts(records),
          events: (batch) => pub.publishEvents(batch),
        },
        {
          accounts: flags.accounts ? [flags.accounts] : [],
          quarantine: sink,
          report,
          format: flags.format,
          csvMap: flags.csvMap ? parseCsvMap(flags.csvMap) : undefined,
          otlpAccountAttribute: flags.otlpAccountAttr,
          onProgress,
        },
      );
      const counts = await pub.flush();
      progress?.stop();
      printPublished(formatValidateSummary, {
        json: flags.json,
        rate: flags.rate ?? null,
        seconds: (performance.now() - started) / 1000,
        summary: report.toJSON(),
        quarantine: { path: quarantinePath, lines: quarantine.count },
        counts,
        topology,
        times: pub.times,
      });
      if (report.accountRecords === 0)
        requireUsableEvents(files, report, { path: quarantinePath, lines: quarantine.count });
    } finally {
      progress?.stop();
      await quarantine.close();
      await nc.drain().catch(() => undefined);
    }
  });
}

/** The validation summary and what was published: JSON with --json, else text with the rate. */
function printPublished(
  formatValidateSummary: typeof validationSummary,
  r: {
    json: boolean;
    rate: number | null;
    seconds: number;
    summary: ReturnType<IngestReport['toJSON']>;
    quarantine: { path: string; lines: number };
    counts: Awaited<ReturnType<ScalePublisher['flush']>>;
    topology: { stream: string; partitions: number };
    times: ScalePublisher['times'];
  },
): void {
  const { counts, topology, seconds } = r;
  const result = { summary: r.summary, quarantine: r.quarantine };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const published = {
    ...counts,
    stream: topology.stream,
    partitions: topology.partitions,
    seconds,
    rate: r.rate,
    // When the first message went out and the stream stored the last one (for measuring lag).
    first_sent_at: iso(r.times.firstSentAt),
    last_stored_at: iso(r.times.lastStoredAt),
  };
  process.stdout.write(
    r.json
      ? `${JSON.stringify({ ...result, published }, null, 2)}\n`
      : `${formatValidateSummary(result)}\npublished   ${counts.published.toLocaleString('en')} to ${topology.stream} (${topology.partitions} partitions), ${counts.duplicates.toLocaleString('en')} already there, ${Math.round(counts.published / Math.max(seconds, 1e-3)).toLocaleString('en')}/s\n`,
  );
}
