import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contracts/index.js';
import { IngestReport } from './ingest-report.js';
import type { IngestProgress } from './read-records.js';
import { MemoryQuarantine } from './quarantine-sink.js';
import { readAccounts, readEventBatches, readEvents } from './read-events.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-ingest-'));
});

const event = (i: number, account = `acct-${i % 3}`): ApiEvent => ({
  id: `evt-${i}`,
  ts: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  account_id: account,
  model: 'm-large',
  request: { messages: [{ role: 'user', content: `question ${i}` }] },
});
const ndjson = (events: unknown[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function collect(paths: string[], opts: Parameters<typeof readEvents>[1] = {}) {
  const report = new IngestReport();
  const quarantine = new MemoryQuarantine();
  const events: ApiEvent[] = [];
  for await (const e of readEvents(paths, { report, quarantine, ...opts })) events.push(e);
  return { events, report, rejects: quarantine.records };
}

describe('readEvents over NDJSON', () => {
  it('reads gzip by its magic bytes, whatever the file is called, and dedupes across files', async () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.log'); // gzip without a .gz name
    await writeFile(a, ndjson([event(1), event(2), event(3)]));
    await writeFile(b, gzipSync(ndjson([event(3), event(4)])));
    const { events, report, rejects } = await collect([a, b]);
    expect(events.map((e) => e.id)).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    expect(report.duplicates).toBe(1);
    expect(rejects).toMatchObject([{ file: b, line: 1, reason: 'duplicate_id' }]);
    expect(report.files.map((f) => [f.format, f.gzip, f.events])).toEqual([
      ['ndjson', false, 3],
      ['ndjson', true, 1],
    ]);
    expect(report.from).toBe('2026-11-22T10:00:01.000Z');
    expect(report.to).toBe('2026-11-22T10:00:04.000Z');
    expect(report.accounts).toBe(3);
  });

  it('keeps duplicates when asked not to dedupe', async () => {
    const a = join(dir, 'dup.ndjson');
    await writeFile(a, ndjson([event(1), event(1)]));
    expect((await collect([a], { dedupe: false })).events).toHaveLength(2);
  });

  it('keeps the lines before a truncated gzip stream and reports where it stopped', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => event(i));
    const gz = gzipSync(ndjson(many));
    const path = join(dir, 'cut.ndjson.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { events, report, rejects } = await collect([path]);
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(3000);
    // Every event before the cut is intact and in order.
    expect(events.map((e) => e.id)).toEqual(many.slice(0, events.length).map((e) => e.id));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason: 'truncated_gzip', line: events.length + 1 });
    expect(rejects[0]!.message).toContain(`${events.length} records before it were kept`);
    expect(report.files[0]!.complete).toBe(false);
  });

  it('reports damaged gzip data as corrupt_gzip and goes on with the next file', async () => {
    const gz = Buffer.from(gzipSync(ndjson(Array.from({ length: 500 }, (_, i) => event(i)))));
    gz.fill(0xff, 200, 260);
    const bad = join(dir, 'damaged.ndjson.gz');
    const next = join(dir, 'after.ndjson');
    await writeFile(bad, gz);
    await writeFile(next, ndjson([event(9000)]));
    const { events, rejects, report } = await collect([bad, next]);
    expect(rejects.map((r) => [r.file, r.reason])).toEqual([[bad, 'corrupt_gzip']]);
    expect(events.at(-1)!.id).toBe('evt-9000');
    expect(report.files.map((f) => f.complete)).toEqual([false, true]);
  });

  it('yields one batch per chunk, so a consumer pulls the file at its own pace', async () => {
    const path = join(dir, 'big.ndjson');
    await writeFile(path, ndjson(Array.from({ length: 20_000 }, (_, i) => event(i))));
    const sizes: number[] = [];
    let progressCalls = 0;
    for await (const batch of readEventBatches([path], { onProgress: () => progressCalls++ })) {
      sizes.push(batch.length);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(sizes.length).toBeGreaterThan(1);
    expect(progressCalls).toBeGreaterThanOrEqual(sizes.length);
  });

  it('reports progress in bytes read from disk, ending at the total of all files', async () => {
    const a = join(dir, 'p1.ndjson');
    const b = join(dir, 'p2.ndjson.gz');
    await writeFile(a, ndjson(Array.from({ length: 3000 }, (_, i) => event(i))));
    await writeFile(b, gzipSync(ndjson(Array.from({ length: 3000 }, (_, i) => event(i + 3000)))));
    const seen: IngestProgress[] = [];
    for await (const _ of readEventBatches([a, b], { onProgress: (p) => seen.push(p) })) {
      // drain
    }
    const total = statSync(a).size + statSync(b).size;
    expect(seen.every((p) => p.totalBytes === total && p.bytesRead <= total)).toBe(true);
    expect(seen.map((p) => p.bytesRead)).toEqual([...seen.map((p) => p.bytesRead)].sort((x, y) => x - y));
    expect(seen.at(-1)).toMatchObject({ bytesRead: total, events: 6000, file: b });
  });

  it('counts an empty file as read', async () => {
    const path = join(dir, 'empty.ndjson');
    await writeFile(path, '');
    const { events, report } = await collect([path]);
    expect(events).toEqual([]);
    expect(report.files).toMatchObject([{ path, lines: 0, complete: true }]);
  });

  it('fails before reading anything when one of the files is missing', async () => {
    const a = join(dir, 'a.ndjson');
    await expect(collect([a, join(dir, 'nope.ndjson')])).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: expect.stringContaining('nope.ndjson') as string,
    });
    await expect(collect([dir])).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});

describe('readAccounts', () => {
  it('validates account records and counts them', async () => {
    const path = join(dir, 'accounts.ndjson');
    await writeFile(
      path,
      ndjson([
        { account_id: 'acct-0', created_at: '2026-01-02T03:04:05Z', tier: 'free', verified: false },
        { account_id: 'acct-1', created_at: 'soon' },
        { tier: 'paid' },
      ]),
    );
    const report = new IngestReport();
    const quarantine = new MemoryQuarantine();
    const got = [];
    for await (const a of readAccounts(path, { report, quarantine })) got.push(a.account_id);
    expect(got).toEqual(['acct-0']);
    expect(quarantine.records.map((r) => [r.line, r.reason])).toEqual([
      [2, 'bad_timestamp'],
      [3, 'missing_field'],
    ]);
    expect(report.accountRecords).toBe(1);
  });
});

describe('readEvents over CSV', () => {
  it('maps the documented columns, joins quoted multi-line fields and names bad columns', async () => {
    const path = join(dir, 'log.csv');
    await writeFile(
      path,
      [
        'id,ts,account_id,model,client_ip,asn,system_prompt,prompt,temperature,logprobs,n,response_text,extra',
        'c1,2026-11-22T10:00:00Z,acct-1,m-large,203.0.113.9,64500,You are terse.,"Say ""hi"", then\nlist three fruits",0.2,true,2,"ok",ignored',
        'c2,2026-11-22T10:00:01Z,acct-2,m-large,,AS64500,,plain prompt,,,,,',
        '',
        'c3,2026-11-22T10:00:02Z,acct-2,m-large,,,,"never closed',
      ].join('\r\n'),
    );
    const { events, rejects, report } = await collect([path]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: 'c1',
      client: { ip: '203.0.113.9', asn: 64500 },
      request: {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say "hi", then\nlist three fruits' },
        ],
        params: { temperature: 0.2, logprobs: true, n: 2 },
      },
      response: { text: 'ok' },
    });
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [4, 'wrong_type'],
      [6, 'invalid_csv'],
    ]);
    expect(rejects[0]!.message).toContain('CSV column "asn"');
    expect(report.emptyLines).toBe(1);
    expect(report.files[0]!.format).toBe('csv');
  });

  it('takes column names from the --csv-map mapping and refuses a header it cannot map', async () => {
    const path = join(dir, 'renamed.csv');
    await writeFile(path, 'request_id,time,org,engine,user_message\nr1,2026-11-22T10:00:00Z,o1,m1,hello\n');
    const map = { id: 'request_id', ts: 'time', account_id: 'org', model: 'engine', prompt: 'user_message' };
    const { events } = await collect([path], { csvMap: map });
    expect(events).toMatchObject([{ id: 'r1', account_id: 'o1', model: 'm1' }]);
    await expect(collect([path])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/no column for id .*--csv-map/) as string,
    });
  });
});

describe('readEvents over OTLP/JSON', () => {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
  const dbl = (key: string, v: number) => ({ key, value: { doubleValue: v } });
  const request = (spans: unknown[]) => ({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'chat-api')] },
        scopeSpans: [{ scope: { name: 'openai' }, spans }],
      },
    ],
  });
  const current = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'chat m-large',
    startTimeUnixNano: '1763805600000000000',
    attributes: [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'm-large'),
      dbl('gen_ai.request.temperature', 0.3),
      int('gen_ai.request.max_tokens', 512),
      int('gen_ai.usage.input_tokens', 12),
      int('gen_ai.usage.output_tokens', 40),
      { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
      str('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'Be brief.' }])),
      str(
        'gen_ai.input.messages',
        JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Why is the sky blue?' }] }]),
      ),
      str(
        'gen_ai.output.messages',
        JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'text', content: 'Rayleigh scattering.' }],
            finish_reason: 'stop',
          },
        ]),
      ),
      str('enduser.id', 'acct-9'),
      str('client.address', '198.51.100.4'),
      str('user_agent.original', 'OpenAI/Python 1.40.0'),
    ],
  };
  const legacy = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: '0000000000000002',
    startTimeUnixNano: 1763805601000000000,
    attributes: [
      str('gen_ai.system', 'openai'),
      str('gen_ai.request.model', 'm-small'),
      str('tenant', 'acct-3'),
    ],
    events: [
      { name: 'gen_ai.user.message', attributes: [str('content', 'Translate "cat" to French.')] },
      {
        name: 'gen_ai.choice',
        attributes: [str('message', JSON.stringify({ content: 'chat' })), str('finish_reason', 'stop')],
      },
    ],
  };
  const http = {
    traceId: 'aa',
    spanId: 'bb',
    startTimeUnixNano: '1763805600000000000',
    attributes: [str('http.method', 'GET')],
  };

  it('maps current gen_ai attributes, one request per line', async () => {
    const path = join(dir, 'spans.jsonl');
    await writeFile(
      path,
      `${JSON.stringify(request([current, http]))}\n${JSON.stringify(request([legacy]))}\n`,
    );
    const { events, report, rejects } = await collect([path]);
    expect(report.files[0]!.format).toBe('otlp');
    expect(report.skippedSpans).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: '5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174',
      ts: '2025-11-22T10:00:00.000Z',
      account_id: 'acct-9',
      model: 'm-large',
      endpoint: 'chat.completions',
      client: { ip: '198.51.100.4', user_agent: 'OpenAI/Python 1.40.0' },
      request: {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Why is the sky blue?' },
        ],
        params: { temperature: 0.3, max_tokens: 512 },
      },
      response: { text: 'Rayleigh scattering.', finish_reason: 'stop' },
      usage: { input_tokens: 12, output_tokens: 40 },
    });
    // The legacy span has no enduser.id: refused with a hint, not dropped.
    expect(rejects).toMatchObject([{ line: 2, reason: 'invalid_span' }]);
    expect(rejects[0]!.message).toMatch(/spans\[0\].*--otlp-account-attr/);
  });

  it('reads a pretty-printed document and legacy span events, with a configured account attribute', async () => {
    const path = join(dir, 'trace.json');
    await writeFile(path, JSON.stringify(request([legacy]), null, 2));
    const { events } = await collect([path], { otlpAccountAttribute: 'tenant' });
    expect(events).toMatchObject([
      {
        account_id: 'acct-3',
        model: 'm-small',
        ts: '2025-11-22T10:00:01.000Z',
        request: { messages: [{ role: 'user', content: 'Translate "cat" to French.' }] },
        response: { text: 'chat', finish_reason: 'stop' },
      },
    ]);
  });
});

describe('quarantine file', () => {
  it('is NDJSON a reader can parse back', async () => {
    const { FileQuarantine } = await import('./quarantine-sink.js');
    const path = join(dir, 'q.ndjson');
    const src = join(dir, 'mixed.ndjson');
    await writeFile(src, `${JSON.stringify(event(1))}\nnot json\n`);
    const q = await FileQuarantine.open(path);
    for await (const _ of readEvents([src], { quarantine: q })) {
      // drain
    }
    await q.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toMatchObject([
      { file: src, line: 2, reason: 'invalid_json', raw: 'not json', raw_encoding: 'utf8' },
    ]);
  });
});

describe('stopping early', () => {
  it('closes the file when the consumer breaks out of the loop', async () => {
    const path = join(dir, 'stop.ndjson');
    await writeFile(path, ndjson(Array.from({ length: 50_000 }, (_, i) => event(i))));
    const report = new IngestReport();
    let n = 0;
    for await (const _ of readEvents([path], { report })) if (++n === 10) break;
    expect(n).toBe(10);
    // Only the first chunk was read, not the whole file.
    expect(report.events).toBeLessThan(50_000);
    expect(report.files[0]!.lines).toBeLessThan(50_000);
    if (!existsSync('/proc/self/fd')) return;
    const open = (): boolean =>
      readdirSync('/proc/self/fd').some((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      });
    for (let i = 0; i < 50 && open(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toBe(false);
  });
});
