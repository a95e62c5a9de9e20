import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { DemoConfig, DetectConfig, readEnv, type ApiEvent } from '../../contracts/index.js';
import type { HttpEventSink } from '../../pipeline/index.js';
import type { RunningService } from '../../server/index.js';
import type { simulate } from '../../sim/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { listenOrExplain } from '../listen.js';
import { checkOutputDir } from '../output-paths.js';

/**
 * Streams the simulated accounts and traffic into the server in gzip batches of `batchSize`
 * events, through the pipeline's HTTP event sink, as a log shipper would.
 */
async function ship(
  sink: HttpEventSink,
  files: { accounts: string; traffic: string },
  batchSize: number,
  onBatch: (sent: number) => void,
): Promise<number> {
  const { readInput } = await import('../../ingest/index.js');
  const pending: ApiEvent[] = [];
  let sent = 0;
  const send = async (events: ApiEvent[]): Promise<void> => {
    await sink.write(events);
    sent += events.length;
    onBatch(sent);
  };
  await readInput(
    [files.traffic],
    {
      accounts: (records) => sink.writeAccounts(records),
      events: async (batch) => {
        pending.push(...batch);
        while (pending.length >= batchSize) await send(pending.splice(0, batchSize));
      },
    },
    { accounts: [files.accounts] },
  );
  if (pending.length > 0) await send(pending);
  return sent;
}

export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description('the full demo: simulate traffic, serve, stream it in over HTTP and analyse as it arrives')
    .action(async (raw: Flags, cmd: Command) => {
      // Each command loads its modules when it runs (see gateway.ts).
      const { startService } = await import('../../server/index.js');
      const flags = configFromFlags(DemoConfig, raw);
      const config = configFromFlags(DetectConfig, { ...raw, seed: undefined }, { cmd, file: raw.config });
      const { port, batch } = flags;
      if (flags.dataDir) checkOutputDir('--data-dir', flags.dataDir);
      // Simulated traffic, the store and the reports run to hundreds of MB per run: the folder
      // goes when the demo does, however it ends (Ctrl-C, SIGTERM, SIGHUP, an error, a failed start).
      const work = await mkdtemp(path.join(tmpdir(), 'distillguard-demo-'));
      process.once('exit', () => rmSync(work, { recursive: true, force: true, maxRetries: 3 }));
      // Signals may come before the service is up: stop then closes whatever has started.
      const started: { service?: RunningService; stopping?: boolean } = {};
      const stop = (): void => {
        started.stopping = true;
        void (started.service?.close() ?? Promise.resolve()).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
      const service = (started.service = await listenOrExplain({ host: flags.host, port }, () =>
        startService({
          host: flags.host,
          port,
          dataDir: flags.dataDir ?? path.join(work, 'store'),
          demo: true,
          config,
          // The demo streams as fast as it can; the rate limit is for real clients.
          limits: { ratePerMinute: 100_000 },
          logger: { level: readEnv('DISTILLGUARD_LOG_LEVEL') ?? 'warn' },
        }),
      ));
      try {
        await service.ready;
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(`DistillGuard demo: open ${service.url}/ (this machine's browser is signed in automatically)`);
        if (service.createdKey) out(`  admin API key for curl: ${service.createdKey}`);

        const sim = await simulateAndAnalyse(flags, config, work, out);
        await streamIntoServer(service, sim, batch, out);
      } catch (err) {
        // Ctrl-C while streaming fails the batch in flight: that is the stop, not an error.
        if (started.stopping) await new Promise<never>(() => undefined);
        throw err;
      }
    });
  addConfigFlags(demo, DemoConfig);
  // The detection flags of analyze and serve; --seed is the simulation's, detection's comes from --config.
  addConfigFlags(demo, DetectConfig.omit({ seed: true }), { configFile: true });
}

type Out = (s: string) => void;

/** Simulates the traffic and analyses it in one batch, writing the report and findings to `work`. */
async function simulateAndAnalyse(
  flags: z.infer<typeof DemoConfig>,
  config: z.infer<typeof DetectConfig>,
  work: string,
  out: Out,
): Promise<Awaited<ReturnType<typeof simulate>>> {
  const [{ simulate }, { analyzeFiles }, { renderHtmlReport }] = await Promise.all([
    import('../../sim/index.js'),
    import('../../pipeline/index.js'),
    import('../../report/index.js'),
  ]);
  const { seed } = flags;
  out(`Simulating ${flags.scale} traffic (seed ${flags.seed})…`);
  const sim = await simulate({
    scale: flags.scale,
    seed,
    out: path.join(work, 'sim'),
  });
  out(`  ${sim.events} events, ${sim.accounts} accounts; analysing them in one batch…`);
  const { detail } = await analyzeFiles([sim.files.traffic], {
    accounts: [sim.files.accounts],
    config,
  });
  const reportFile = path.join(work, 'report.html');
  const findingsFile = path.join(work, 'findings.json');
  await writeFile(reportFile, renderHtmlReport(detail, { generatedFrom: [sim.files.traffic] }));
  await writeFile(findingsFile, `${JSON.stringify(detail.findings, null, 2)}\n`);
  const levels = detail.findings.accounts.filter((a) => a.level === 'act').length;
  out(`  ${detail.findings.clusters.length} clusters, ${levels} accounts at act`);
  out(`  HTML report: ${reportFile}`);
  out(`  findings:    ${findingsFile}`);
  out(`  (this folder is removed when the demo stops; copy what you want to keep)`);
  out(`Streaming the same traffic into the server, analysed live as it arrives…`);
  return sim;
}

/** Streams the simulated traffic into the server over HTTP and prints what live detection found. */
async function streamIntoServer(
  service: RunningService,
  sim: Awaited<ReturnType<typeof simulate>>,
  batch: number,
  out: Out,
): Promise<void> {
  const { HttpEventSink } = await import('../../pipeline/index.js');
  const shipper = await service.ctx.keys.create('demo shipper', 'ingest');
  // Generous: the server holds a batch back while live detection catches up.
  const sink = new HttpEventSink(service.url, shipper.key, { gzip: true, timeoutMs: 300_000 });
  let lastReport = 0;
  const t0 = Date.now();
  const sent = await ship(sink, sim.files, batch, (n) => {
    if (n - lastReport >= 20_000) {
      lastReport = n;
      out(`  ${n} events in (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  });
  await service.ctx.live.refresh();
  const view = service.ctx.live.view;
  out(
    `Streamed ${sent} events in ${Math.round((Date.now() - t0) / 1000)} s: ${view.clusters.length} clusters, ` +
      `${view.levelCounts().act} accounts at act. Dashboard: ${service.url}/  (Ctrl-C to stop)`,
  );
}
