import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { consumerOf, deleteStream, ensureStream } from '../src/pipeline/index.js';
import { ensureBuilt, runCli as cli } from './cli-harness.js';
import {
  addPreRetentionStream,
  describeScale,
  refusal,
  TEST_NATS_URL,
  topologyFlags,
} from './scale-harness.js';

// Every publisher and worker takes the topology from one typed config (the same --stream,
// --subject-prefix and --partitions flags); the stream records its partition count and refuses
// anyone whose topology differs, with one coded line, before a message is published.

/** `gateway --nats` on the test NATS, in front of an upstream nothing listens on (it never gets that far). */
const gatewayOnNats = ['gateway', '--upstream', 'http://127.0.0.1:9', '--port', '0', '--nats', TEST_NATS_URL];

describeScale('scale-out topology agreement', 4, (fx) => {
  beforeAll(ensureBuilt);

  it('refuses another partition count or subject prefix on an existing stream', async () => {
    const t = fx.topology;
    await ensureStream(fx.nc, t); // the same topology is accepted again
    const partitions = await refusal(ensureStream(fx.nc, { ...t, partitions: 8 }));
    expect(partitions.code).toBe('INVALID_CONFIG');
    expect(partitions.message).toContain(`stream ${t.stream} has 4 partitions, not 8`);
    const prefix = await refusal(ensureStream(fx.nc, { ...t, subjectPrefix: `${t.subjectPrefix}x` }));
    expect(prefix.code).toBe('INVALID_CONFIG');
    expect(prefix.message).toContain(`carries subjects ${t.subjectPrefix}.*`);
    // Another stream name on the same subjects.
    const stream = await refusal(ensureStream(fx.nc, { ...t, stream: `${t.stream}_OTHER` }));
    expect(stream.code).toBe('INVALID_CONFIG');
    expect((await (await fx.nc.jetstreamManager()).streams.info(t.stream)).config.subjects).toEqual([
      `${t.subjectPrefix}.*`,
    ]);
  });

  it('a stream made before the count was recorded is judged by its consumers, then records it', async () => {
    const t = await addPreRetentionStream(fx, 3);
    const jsm = await fx.nc.jetstreamManager();
    try {
      for (let p = 0; p < 3; p++) await jsm.consumers.add(t.stream, { durable_name: consumerOf(t, p) });
      expect((await refusal(ensureStream(fx.nc, { ...t, partitions: 16 }))).message).toContain(
        'has 3 partitions',
      );
      await ensureStream(fx.nc, t);
      expect((await jsm.streams.info(t.stream)).config.description).toBe('distillguard partitions=3');
    } finally {
      await deleteStream(fx.nc, t.stream);
    }
  });

  it('gateway --nats and serve --nats take the topology flags and exit with the coded error on a mismatch', async () => {
    const t = fx.topology;
    const flags = topologyFlags({ ...t, partitions: 8 });
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-topology-'));
    const gateway = await cli([...gatewayOnNats, '--spool', path.join(dir, 'spool.ndjson'), ...flags]);
    const serve = await cli([
      'serve',
      '--port',
      '0',
      '--database-url',
      `sqlite:${path.join(dir, 'dg.sqlite')}`,
      '--nats',
      TEST_NATS_URL,
      ...flags,
    ]);
    for (const r of [gateway, serve]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `error[INVALID_CONFIG]: stream ${t.stream} has 4 partitions, not 8: every publisher and worker must use --partitions 4 (the count is fixed for the life of a stream)`,
      );
    }
    // The flags are validated by the typed config.
    const bad = await cli([...gatewayOnNats, '--partitions', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error\[INVALID_ARGUMENT\]: --partitions: /);
  }, 120_000);
});
