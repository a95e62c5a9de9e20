import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectNats, deleteStream } from '../src/pipeline/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import { scaleSkip, TEST_NATS_URL, workerArgs } from './scale-harness.js';

// An operator mistypes the database host or PostgreSQL is down: the worker must say so in one
// coded line (exit status 1: the command ran and a service it needs did not answer; README "Exit status"), not print a driver stack trace, and must not
// have created the stream by then. The password in the URL is not echoed.

describe.skipIf(scaleSkip !== null)('scale-out: worker with an unreachable database', () => {
  it('exits 1 with one SERVICE_UNAVAILABLE line, before creating the stream', async () => {
    ensureBuilt();
    const tag = randomBytes(5).toString('hex');
    const stream = `DG_TEST_${tag}`;
    const nc = await connectNats(TEST_NATS_URL);
    try {
      // Port 1 on loopback: nothing listens there. 16 partitions: the default.
      const topology = { stream, subjectPrefix: `dgtest.${tag}`, partitions: 16 };
      const r = await runCli(workerArgs(topology, 'postgres://dg:s3cret-pw@127.0.0.1:1/dg'));
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^error\[SERVICE_UNAVAILABLE\]: cannot reach PostgreSQL at postgres:\/\/dg:\*\*\*@127\.0\.0\.1:1\/dg/,
      );
      expect(r.stderr).not.toContain('s3cret-pw');
      const jsm = await nc.jetstreamManager();
      expect(await jsm.streams.info(stream).catch(() => null)).toBeNull();
    } finally {
      await deleteStream(nc, stream);
      await nc.close();
    }
  }, 120_000);
});
