import type { Command } from 'commander';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { MetricsServer, ScaleWorker, ScaleWorkerOptions } from '../../pipeline/index.js';
import { DetectConfig, readEnv, UserError, WorkerConfig } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { addStreamFlags, addTopologyFlags, durationMs, streamSetupFromFlags } from './scale-flags.js';

export function registerWorker(program: Command): void {
  const cmd = program
    .command('worker')
    .description('consume partitions of the scale-out stream into PostgreSQL state; score findings globally');
  addConfigFlags(cmd, WorkerConfig);
  addTopologyFlags(cmd);
  addStreamFlags(cmd);
  addConfigFlags(cmd, DetectConfig, { configFile: true }).action(async (raw: Flags) => {
    const flags = configFromFlags(WorkerConfig, raw);
    const { topology, streamOptions } = streamSetupFromFlags(raw);
    const config = configFromFlags(DetectConfig, raw, { cmd, file: raw.config });
    const url = flags.databaseUrl ?? readEnv('DISTILLGUARD_DATABASE_URL');
    if (!url || !/^postgres(ql)?:\/\//.test(url))
      throw new UserError(
        'INVALID_ARGUMENT',
        'worker needs PostgreSQL: pass --database-url postgres://… or set DISTILLGUARD_DATABASE_URL',
      );
    // Each command loads its modules when it runs (see gateway.ts).
    const [{ destination, pino }, { ensureStream, ScaleWorker, serveWorkerMetrics }, store] =
      await Promise.all([import('pino'), import('../../pipeline/index.js'), import('../../store/index.js')]);
    const { bindScaleTopology, openScaleStore } = store;
    const log = pino({ level: readEnv('DISTILLGUARD_LOG_LEVEL') ?? 'info' }, destination(2));
    const nc = await connectLoggedNats(flags.nats, log);
    // The database first: an unreachable one or one bound to another stream must not create a stream.
    const db = await openScaleStore({ url, schema: readEnv('DISTILLGUARD_DB_SCHEMA') });
    try {
      await bindScaleTopology(db, topology);
      await ensureStream(nc, topology, {
        ackWaitMs: durationMs('--ack-wait', flags.ackWait),
        ...streamOptions,
        onWarning: (message) => log.warn(message),
      });
    } catch (err) {
      await db.destroy();
      await nc.close();
      throw err;
    }
    const worker = new ScaleWorker(workerOptions(flags, { nc, db, topology, config, log, url }));
    await worker.start();
    let metrics: MetricsServer | null = null;
    if (flags.metricsPort !== undefined) {
      try {
        metrics = await serveWorkerMetrics(worker, flags.metricsPort, flags.metricsHost);
      } catch (err) {
        await worker.stop();
        await db.destroy();
        await nc.close();
        throw new UserError(
          'INVALID_ARGUMENT',
          `--metrics-port ${flags.metricsPort}: cannot listen on ${flags.metricsHost} (${(err as Error).message})`,
        );
      }
    }
    process.stdout.write(
      `worker ${worker.id} consuming ${topology.stream} (${topology.partitions} partitions)${metrics ? `; metrics on http://${flags.metricsHost}:${metrics.port}/metrics` : ''}\n`,
    );
    stopOnSignal(worker, metrics, db, nc);
  });
}

/** Connects to NATS and logs when the connection closes or changes status. */
async function connectLoggedNats(url: string, log: Logger): Promise<NatsConnection> {
  const { connectNats } = await import('../../pipeline/index.js');
  const nc = await connectNats(url);
  nc.closed()
    .then((err) => err && log.error({ err: err.message }, 'NATS connection closed'))
    .catch(() => undefined);
  void (async () => {
    for await (const s of nc.status()) log.info({ type: s.type }, 'NATS connection status');
  })();
  return nc;
}

/** The worker's options from its flags: batch size, lease, scoring and pruning cadence. */
function workerOptions(
  flags: z.infer<typeof WorkerConfig>,
  c: Pick<ScaleWorkerOptions, 'nc' | 'db' | 'topology' | 'config' | 'log'> & { url: string },
): ScaleWorkerOptions {
  return {
    nc: c.nc,
    db: c.db,
    topology: c.topology,
    batchSize: flags.batch,
    leaseMs: durationMs('--lease', flags.lease),
    scoreEveryMs: durationMs('--score-every', flags.scoreEvery),
    scoreWhenQuietMs: durationMs('--score-when-quiet', flags.scoreWhenQuiet),
    pruneEveryMs: durationMs('--prune-every', flags.pruneEvery),
    ...(flags.seenRetention ? { seenRetentionMs: durationMs('--seen-retention', flags.seenRetention) } : {}),
    config: c.config,
    log: c.log,
    // Scoring rounds run in a thread of their own, on their own connections to this database.
    scoringStore: { url: c.url, schema: readEnv('DISTILLGUARD_DB_SCHEMA') },
    ...(flags.id ? { workerId: flags.id } : {}),
  };
}

/** On SIGINT or SIGTERM: stops the worker, closes metrics, database and NATS, prints its stats. */
function stopOnSignal(
  worker: ScaleWorker,
  metrics: MetricsServer | null,
  db: { destroy(): Promise<void> },
  nc: NatsConnection,
): void {
  const stop = () =>
    void worker
      .stop()
      .then(async () => {
        await metrics?.close();
        await db.destroy();
        await nc.drain();
        process.stdout.write(`worker ${worker.id} stopped: ${JSON.stringify(worker.stats)}\n`);
        process.exit(0);
      })
      .catch(() => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
