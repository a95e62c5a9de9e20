import { beforeAll, expect, it } from 'vitest';
import { deleteStream, ScaleWorker, type ScaleTopology } from '../src/pipeline/index.js';
import { bindScaleTopology } from '../src/store/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import { adminQuery } from './store-harness.js';
import { describeScale, refusal, workerArgs } from './scale-harness.js';

// A worker database holds one stream's state: account states keyed by partition, seen ids, leases.
// Reused for a stream with another partition count, workers used to mix the two silently
// (findings over part of the events, accounts at other levels, while the counters looked right).
// The database records its topology at first use and refuses any other, before anything is read
// from the stream.

describeScale(
  'scale-out: a worker database is bound to one stream topology',
  4,
  (fx) => {
    beforeAll(ensureBuilt);

    it('refuses a worker of another stream, partition count or subject prefix on the same database', async () => {
      const t = fx.topology;
      const first = new ScaleWorker({ nc: fx.nc, db: fx.db, topology: t, workerId: 'bind-0' });
      await first.start();
      await first.stop();
      const variants: ScaleTopology[] = [
        { ...t, partitions: 8 },
        { ...t, stream: `${t.stream}_B`, subjectPrefix: `${t.subjectPrefix}b` },
        { ...t, subjectPrefix: `${t.subjectPrefix}b` },
      ];
      for (const other of variants) {
        const w = new ScaleWorker({ nc: fx.nc, db: fx.db, topology: other, workerId: 'bind-1' });
        const err = await refusal(w.start());
        expect(err.code).toBe('INVALID_CONFIG');
        expect(err.message).toContain(
          `belongs to stream ${t.stream} (subjects ${t.subjectPrefix}.*, 4 partitions)`,
        );
      }
      // The same topology is accepted again.
      const again = new ScaleWorker({ nc: fx.nc, db: fx.db, topology: t, workerId: 'bind-2' });
      await again.start();
      await again.stop();
    });

    it('a database from before the topology was recorded is judged by its partition rows', async () => {
      await adminQuery(`delete from ${fx.schema}.scale_topology`);
      const w = new ScaleWorker({
        nc: fx.nc,
        db: fx.db,
        topology: { ...fx.topology, partitions: 8 },
        workerId: 'bind-3',
      });
      expect((await refusal(w.start())).message).toContain(
        'holds the state of a stream with 4 partitions, not 8',
      );
      // Its own topology is accepted and recorded.
      await bindScaleTopology(fx.db, fx.topology);
    });

    it('worker exits 2 with one coded line, before creating the other stream', async () => {
      const t = fx.topology;
      const other = { stream: `${t.stream}_C`, prefix: `${t.subjectPrefix}c` };
      const r = await runCli(
        workerArgs({ stream: other.stream, subjectPrefix: other.prefix, partitions: 8 }),
        {
          env: { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema },
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error\\[INVALID_CONFIG\\]: this database belongs to stream ${t.stream} \\(subjects ${t.subjectPrefix.replace('.', '\\.')}\\.\\*, 4 partitions\\)`,
        ),
      );
      const jsm = await fx.nc.jetstreamManager();
      expect(await jsm.streams.info(other.stream).catch(() => null)).toBeNull();
    }, 120_000);
  },
  {},
  // Today's code created the refused worker's stream: leave nothing behind either way.
  (fx) => deleteStream(fx.nc, `${fx.topology.stream}_C`),
);
