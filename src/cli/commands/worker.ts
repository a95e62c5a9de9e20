import type { Command } from 'commander';
import { destination, pino } from 'pino';
import { connectNats, ensureStream, ScaleWorker, type ScaleWorkerOptions } from '../../pipeline/index.js';
import { DetectConfig, UserError } from '../../contracts/index.js';
import { bindScaleTopology, openScaleStore } from '../../store/index.js';
import { addConfigFlags, configFromFlags } from '../config-flags.js';
import {
  addTopologyFlags,
  durationMs,
  natsUrl,
  topologyFromFlags,
  type TopologyFlags,
} from './scale-flags.js';

interface WorkerFlags extends TopologyFlags {
  nats: string;
  database?: string;
  scoreEvery: string;
  batch: string;
  lease: string;
  ackWait: string;
  pruneEvery: string;
  seenRetention?: string;
  id?: string;
  [config: string]: unknown;
}

export function registerWorker(program: Command): void {
  const cmd = program
    .command('worker')
    .description('consume partitions of the scale-out stream into PostgreSQL state; score findings globally')
    .requiredOption('--nats <url>', 'NATS JetStream server, nats://HOST:PORT')
    .option('--database <url>', 'PostgreSQL URL shared by all workers (default: $DATABASE_URL)')
    .option('--score-every <duration>', 'run the global scoring stage this often (0 = never)', '30s')
    .option('--batch <n>', 'messages per fetch and per transaction (at most 1000)', '1000')
    .option('--lease <duration>', 'partition lease; a dead worker’s partitions move after this long', '10s')
    .option(
      '--ack-wait <duration>',
      'redelivery delay of unacknowledged messages (set when the stream is created)',
      '30s',
    )
    .option('--prune-every <duration>', 'delete acknowledged seen event ids this often (0 = never)', '60s')
    .option(
      '--seen-retention <duration>',
      'keep seen event ids at least this long (default: the stream’s duplicate window, 2h)',
    )
    .option(
      '--id <name>',
      'worker name, shown as its partitions’ owner; a pod or host name is safe: leases belong to the process (default: host-pid-random)',
    );
  addTopologyFlags(cmd);
  addConfigFlags(cmd, DetectConfig).action(async (flags: WorkerFlags) => {
    const topology = topologyFromFlags(flags);
    const url = flags.database ?? process.env.DATABASE_URL;
    if (!url || !/^postgres(ql)?:\/\//.test(url))
      throw new UserError(
        'INVALID_ARGUMENT',
        'worker needs PostgreSQL: pass --database postgres://… or set DATABASE_URL',
      );
    const batch = Number(flags.batch);
    if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
      throw new UserError('INVALID_ARGUMENT', `--batch must be 1..1000, got "${flags.batch}"`);
    const config = configFromFlags(DetectConfig, flags);
    const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }, destination(2));
    const nc = await connectNats(natsUrl('--nats', flags.nats));
    nc.closed()
      .then((err) => err && log.error({ err: err.message }, 'NATS connection closed'))
      .catch(() => undefined);
    void (async () => {
      for await (const s of nc.status()) log.info({ type: s.type }, 'NATS connection status');
    })();
    // The database first: an unreachable one or one bound to another stream must not create a stream.
    const db = await openScaleStore({ url, schema: process.env.DISTILLGUARD_DB_SCHEMA });
    try {
      await bindScaleTopology(db, topology);
      await ensureStream(nc, topology, { ackWaitMs: durationMs('--ack-wait', flags.ackWait) });
    } catch (err) {
      await db.destroy();
      await nc.close();
      throw err;
    }
    const opts: ScaleWorkerOptions = {
      nc,
      db,
      topology,
      batchSize: batch,
      leaseMs: durationMs('--lease', flags.lease),
      scoreEveryMs: durationMs('--score-every', flags.scoreEvery),
      pruneEveryMs: durationMs('--prune-every', flags.pruneEvery),
      ...(flags.seenRetention
        ? { seenRetentionMs: durationMs('--seen-retention', flags.seenRetention) }
        : {}),
      config,
      log,
      ...(flags.id ? { workerId: flags.id } : {}),
    };
    const worker = new ScaleWorker(opts);
    await worker.start();
    process.stdout.write(
      `worker ${worker.id} consuming ${topology.stream} (${topology.partitions} partitions)\n`,
    );
    const stop = () =>
      void worker
        .stop()
        .then(async () => {
          await db.destroy();
          await nc.drain();
          process.stdout.write(`worker ${worker.id} stopped: ${JSON.stringify(worker.stats)}\n`);
          process.exit(0);
        })
        .catch(() => process.exit(1));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
