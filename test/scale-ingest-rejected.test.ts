import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { analyzeFiles } from '../src/pipeline/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import { describeScale, expectRejectedCounted, ingestArgs, simulatedPrefix } from './scale-harness.js';

// Lines `ingest --to` rejects stay in its quarantine file and are forwarded to the workers, so
// the streamed findings report the same input.rejected_lines as batch analyze of the same files;
// ingesting the same files again does not count them twice.
const input = simulatedPrefix(800, 31);

describeScale('scale-out: rejected input lines reach the findings', 4, (fx) => {
  beforeAll(ensureBuilt);

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

    const ingest = async () => {
      const r = await runCli(
        [...ingestArgs(fx.topology, { dir, traffic, accounts }), '--json', '--no-progress'],
        {
          timeout: 0,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as {
        quarantine: { lines: number };
        published: { published: number; duplicates: number };
      };
    };
    const first = await ingest();
    expect(first.quarantine.lines).toBe(4);
    expect(first.published.published).toBe(input.events.length + input.accounts.length + 4);
    // The same files again: nothing new reaches the stream, rejected lines included.
    const again = await ingest();
    expect(again.published).toMatchObject({ published: 0, duplicates: first.published.published });

    const rows = await expectRejectedCounted(fx, 'rej-0', input.events.length, batch.detail.findings);
    expect(rows.every((r) => r.message.startsWith(dir))).toBe(true);
  }, 300_000);
});
