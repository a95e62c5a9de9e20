import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../src/pipeline/index.js';
import { ScaleWorker, scoreScale } from '../src/pipeline/index.js';
import { countQuarantined, listQuarantined } from '../src/store/index.js';
import {
  CLI,
  ensureScaleBuilt,
  scaleFixture,
  scaleSkipReason,
  simulatedPrefix,
  TEST_NATS_URL,
  waitForApplied,
  type ScaleFixture,
} from './scale-harness.js';

// Lines `ingest --to` rejects stay in its quarantine file and are forwarded to the workers, so
// the streamed findings report the same input.rejected_lines as batch analyze of the same files;
// ingesting the same files again does not count them twice.
const skip = await scaleSkipReason();
const input = simulatedPrefix(800, 31);
const run = promisify(execFile);

describe.skipIf(skip !== null)('scale-out: rejected input lines reach the findings', () => {
  let fx: ScaleFixture;
  beforeAll(async () => {
    ensureScaleBuilt();
    fx = await scaleFixture(4);
  });
  afterAll(async () => {
    await fx?.dispose();
  });

  it('streamed findings count the lines ingest rejected, as batch does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-scale-rejected-'));
    const traffic = path.join(dir, 'traffic.ndjson');
    const accounts = path.join(dir, 'accounts.ndjson');
    const lines = input.events.map((e) => JSON.stringify(e));
    lines.splice(100, 0, '{"id": "broken",');
    lines.splice(400, 0, JSON.stringify({ ...input.events[0], id: 'no-account', account_id: undefined }));
    lines.splice(600, 0, JSON.stringify({ ...input.events[1], id: 'bad-ts', ts: 'yesterday' }));
    writeFileSync(traffic, `${lines.join('\n')}\n`);
    writeFileSync(accounts, `${[...input.accounts.map((a) => JSON.stringify(a)), '[1, 2]'].join('\n')}\n`);

    const batch = await analyzeFiles([traffic], { accounts: [accounts] });
    expect(batch.detail.findings.input.rejected_lines).toBe(4);

    const t = fx.topology;
    const ingest = async () =>
      JSON.parse(
        (
          await run(process.execPath, [
            CLI,
            'ingest',
            traffic,
            '--accounts',
            accounts,
            '--nats',
            TEST_NATS_URL,
            '--stream',
            t.stream,
            '--subject-prefix',
            t.subjectPrefix,
            '--partitions',
            String(t.partitions),
            '--quarantine',
            path.join(dir, 'quarantine.ndjson'),
            '--json',
            '--no-progress',
          ])
        ).stdout,
      ) as { quarantine: { lines: number }; published: { published: number; duplicates: number } };
    const first = await ingest();
    expect(first.quarantine.lines).toBe(4);
    expect(first.published.published).toBe(input.events.length + input.accounts.length + 4);
    // The same files again: nothing new reaches the stream, rejected lines included.
    const again = await ingest();
    expect(again.published).toMatchObject({ published: 0, duplicates: first.published.published });

    const worker = new ScaleWorker({ nc: fx.nc, db: fx.db, topology: t, workerId: 'rej-0' });
    await worker.start();
    await waitForApplied(fx.db, input.events.length);
    const until = Date.now() + 30_000;
    while ((await countQuarantined(fx.db)) < 4 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    expect(worker.stats.invalid).toBe(0);

    const rows = await listQuarantined(fx.db);
    expect(rows.map((r) => r.reason).sort()).toEqual([
      'bad_timestamp',
      'invalid_json',
      'missing_field',
      'not_an_object',
    ]);
    expect(rows.every((r) => r.message.startsWith(dir))).toBe(true);
    const streamed = await scoreScale(fx.db, { force: true });
    expect(streamed?.input).toMatchObject({
      events: batch.detail.findings.input.events,
      accounts: batch.detail.findings.input.accounts,
      rejected_lines: batch.detail.findings.input.rejected_lines,
    });
  }, 300_000);
});
