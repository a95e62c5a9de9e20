import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeFiles } from '../src/pipeline/index.js';
import { describeScale, expectRejectedCounted, simulatedPrefix, TEST_NATS_URL } from './scale-harness.js';
import { call, startTestService, type TestService } from './server-harness.js';

// Lines `serve --nats` rejects on its ingest API are forwarded to the workers as `ingest --to`
// forwards its own (the same publisher code), so the streamed findings count them as batch
// analyze of the same lines does; a client re-sending a body does not count its bad lines twice.
const input = simulatedPrefix(500, 37);

describeScale('scale-out: lines serve --nats rejects reach the findings', 4, (fx) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService('sqlite', { nats: TEST_NATS_URL, natsTopology: fx.topology });
  });
  afterAll(() => svc?.dispose());

  it('streamed findings count the lines the server rejected, as batch does', async () => {
    const ndjsonLines = input.events.slice(0, 300).map((e) => JSON.stringify(e));
    ndjsonLines.splice(50, 0, '{"id": "broken",');
    ndjsonLines.splice(200, 0, JSON.stringify({ ...input.events[0], id: 'bad-ts', ts: 'yesterday' }));
    const arrayItems: unknown[] = [...input.events.slice(300), { id: 'arr-bad' }];
    const accountLines = [...input.accounts.map((a) => JSON.stringify(a)), '[1, 2]'];

    const post = (route: string, raw: string, type?: string) =>
      call(`${svc.url}${route}`, 'POST', svc.admin, { raw, ...(type ? { type } : {}) });
    expect((await post('/v1/accounts', accountLines.join('\n'))).body).toMatchObject({ rejected: 1 });
    const events = ndjsonLines.join('\n');
    expect((await post('/v1/events', events)).body).toMatchObject({ accepted: 300, rejected: 2 });
    // A client retry of the same body: its bad lines are forwarded again and counted once.
    expect((await post('/v1/events', events)).body).toMatchObject({ accepted: 0, rejected: 2 });
    const array = JSON.stringify(arrayItems);
    expect((await post('/v1/events', array, 'application/json')).body).toMatchObject({ rejected: 1 });

    // Batch analyze of the same lines as files.
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-serve-rejected-'));
    const traffic = path.join(dir, 'traffic.ndjson');
    const accounts = path.join(dir, 'accounts.ndjson');
    writeFileSync(traffic, `${[...ndjsonLines, ...arrayItems.map((x) => JSON.stringify(x))].join('\n')}\n`);
    writeFileSync(accounts, `${accountLines.join('\n')}\n`);
    const batch = (await analyzeFiles([traffic], { accounts: [accounts] })).detail.findings;
    expect(batch.input.rejected_lines).toBe(4);

    const rows = await expectRejectedCounted(fx, 'srv-rej-0', input.events.length, batch);
    expect(rows.filter((r) => r.message.startsWith('POST /v1/events body ')).length).toBe(3);
    expect(rows.filter((r) => r.message.startsWith('POST /v1/accounts body ')).length).toBe(1);
  }, 300_000);
});
