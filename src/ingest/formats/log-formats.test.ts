import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent, QuarantineRecord } from '../../contracts/index.js';
import { MemoryQuarantine } from '../quarantine-sink.js';
import { readEvents } from '../read-events.js';
import { validateFiles } from '../validate-files.js';

// Fixtures built from each product's public field docs (fixtures/README.md names the page).
const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function read(paths: string[], format?: 'auto' | 'litellm' | 'kong' | 'cloudflare' | 'langfuse') {
  const quarantine = new MemoryQuarantine();
  const events: ApiEvent[] = [];
  const it = readEvents(paths, { quarantine, format });
  for await (const e of it) events.push(e);
  return { events, rejects: quarantine.records };
}

/** The events of one fixture that maps whole: nothing quarantined. */
async function readWhole(name: string): Promise<ApiEvent[]> {
  const { events, rejects } = await read([fixture(name)]);
  expect(rejects).toEqual([]);
  return events;
}

const reasons = (rejects: QuarantineRecord[]) => rejects.map((r) => [r.line, r.reason]);

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dg-gwlog-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('gateway and observability logs through validate', () => {
  it('detects each format from its first records and reads what maps, quarantining what cannot', async () => {
    const files = [
      'litellm-standard-logging.jsonl',
      'litellm-spend-logs.json',
      'cloudflare-logpush.jsonl',
      'kong-http-log.jsonl',
      'langfuse-observations.jsonl',
      'langfuse-trace.json',
    ];
    const dir = await mkdtemp(join(tmpdir(), 'dg-gwlog-'));
    const q = join(dir, 'q.ndjson');
    const r = await validateFiles(files.map(fixture), { quarantine: q });
    expect(r.summary.files.map((f) => [f.format, f.events, f.rejected])).toEqual([
      ['litellm', 2, 0],
      ['litellm', 2, 1],
      ['cloudflare', 2, 2],
      ['kong', 3, 1],
      ['langfuse', 2, 0],
      ['langfuse', 1, 0],
    ]);
    expect(r.summary).toMatchObject({
      events: 12,
      rejected: { missing_field: 3, encrypted_payload: 1 },
      // The LiteLLM embedding call, a Langfuse SPAN and the trace's retrieval span.
      skipped_spans: 3,
    });
    const quarantined = (await readFile(q, 'utf8')).trim().split('\n');
    expect(quarantined).toHaveLength(4);
  });
});

describe('LiteLLM', () => {
  it('maps the standard logging payload: key hash, end user, requester IP, messages, response, model', async () => {
    const events = await readWhole('litellm-standard-logging.jsonl');
    expect(events[0]).toEqual({
      id: 'chatcmpl-litellm-1',
      ts: '2026-11-27T12:00:00.250Z',
      account_id: 'user-ada',
      api_key_id: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
      end_user_id: 'customer-77',
      model: 'gpt-4o-mini',
      endpoint: 'chat.completions',
      client: { ip: '203.0.113.7' },
      request: {
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'Explain photosynthesis step by step.' },
        ],
        conversation_id: 'trace-1',
        params: { temperature: 0.2, max_tokens: 256, stream: false },
      },
      response: { text: 'Light is absorbed...', finish_reason: 'stop' },
      usage: { input_tokens: 25, output_tokens: 15 },
    });
  });

  it('maps spend-log rows (a JSON array), reading JSON text columns and zone-less times as UTC', async () => {
    const { events, rejects } = await read([fixture('litellm-spend-logs.json')]);
    expect(
      events.map((e) => [e.id, e.ts, e.account_id, e.api_key_id, e.client?.ip, e.response?.text]),
    ).toEqual([
      [
        'chatcmpl-spend-1',
        '2026-11-27T10:00:00.000Z',
        'user-bob',
        '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
        '198.51.100.23',
        'Leaves drift...',
      ],
      ['chatcmpl-spend-2', '2026-11-27T10:05:00.000Z', 'user-bob', '77aa', '198.51.100.23', 'Snow falls...'],
    ]);
    expect(events[1]!.request.messages).toEqual([{ role: 'user', content: 'And one about winter.' }]);
    // Prompts not stored (store_prompts_in_spend_logs off): quarantined, saying how to fix it.
    expect(rejects).toMatchObject([
      { reason: 'missing_field', message: expect.stringContaining('store_prompts_in_spend_logs') as string },
    ]);
  });
});

describe('Cloudflare AI Gateway Logpush', () => {
  it('maps decrypted records; encrypted bodies and records without an account are quarantined', async () => {
    const { events, rejects } = await read([fixture('cloudflare-logpush.jsonl')]);
    expect(events[0]).toMatchObject({
      ts: '2026-11-27T12:00:01.000Z',
      account_id: 'acct-cf-1',
      end_user_id: 'enduser-3',
      model: 'gpt-4o-mini',
      endpoint: 'chat.completions',
      request: {
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        params: { temperature: 0.7 },
      },
      response: { text: 'Paris.', finish_reason: 'stop' },
      usage: { input_tokens: 12, output_tokens: 30 },
    });
    // No id in Logpush records: one derived from the content, stable across reads.
    expect(events[0]!.id).toMatch(/^cloudflare-[0-9a-f]{32}$/);
    expect((await read([fixture('cloudflare-logpush.jsonl')])).events[0]!.id).toBe(events[0]!.id);
    expect(reasons(rejects)).toEqual([
      [3, 'encrypted_payload'],
      [4, 'missing_field'],
    ]);
  });
});

describe('Kong AI Gateway', () => {
  it('maps the http-log record with its ai block, in the current and the 3.6-3.8 layouts', async () => {
    const { events, rejects } = await read([fixture('kong-http-log.jsonl')]);
    expect(events[0]).toEqual({
      id: 'kong-req-1',
      ts: '2026-11-27T12:00:00.000Z',
      account_id: 'org-cobalt',
      api_key_id: 'keyauth-cred-17',
      model: 'gpt-4o-2024-08-06',
      endpoint: 'chat.completions',
      client: { ip: '192.0.2.44', user_agent: 'openai-python/1.50.0' },
      request: {
        messages: [{ role: 'user', content: 'List three prime numbers.' }],
        params: { max_tokens: 300 },
      },
      response: { text: '2, 3, 5.', finish_reason: 'stop' },
      usage: { input_tokens: 18, output_tokens: 42 },
    });
    expect(events[2]).toMatchObject({
      id: 'kong-req-3',
      model: 'gpt-4o',
      response: { text: 'It began in 1789...' },
      usage: { input_tokens: 18, output_tokens: 42 },
    });
    expect(reasons(rejects)).toEqual([[4, 'missing_field']]);
  });
});

describe('Langfuse', () => {
  it('maps GENERATION observations and skips other types', async () => {
    const events = await readWhole('langfuse-observations.jsonl');
    expect(events[0]).toEqual({
      id: 'obs-1',
      ts: '2026-11-28T09:01:00.000Z',
      account_id: 'user-cy',
      model: 'gpt-4o',
      request: {
        messages: [{ role: 'user', content: "Translate 'good morning' to German." }],
        conversation_id: 'session-42',
        params: { temperature: 0.3, max_tokens: 512 },
      },
      response: { text: 'Guten Morgen.' },
      usage: { input_tokens: 11, output_tokens: 20 },
    });
  });

  it('maps a downloaded trace: its generations take the trace user and session', async () => {
    const { events } = await read([fixture('langfuse-trace.json')]);
    expect(events).toEqual([
      {
        id: 'obs-77-b',
        ts: '2026-11-28T11:00:00.500Z',
        account_id: 'user-dee',
        model: 'claude-3-5-haiku',
        request: {
          messages: [
            { role: 'system', content: 'You are a support agent.' },
            { role: 'user', content: 'How do I reset my password?' },
          ],
          conversation_id: 'session-7',
          params: { temperature: 0 },
        },
        response: { text: 'Use the reset link.' },
        usage: { input_tokens: 30, output_tokens: 8 },
      },
    ]);
  });
});

describe('hostile gateway log records', () => {
  const litellm = (over: Record<string, unknown>) =>
    JSON.stringify({
      id: 'x',
      call_type: 'completion',
      startTime: 1795780800,
      model: 'm',
      metadata: { user_api_key_user_id: 'u' },
      messages: [{ role: 'user', content: 'q' }],
      ...over,
    });

  it('quarantines huge lines, deep nesting, wrong types and non-objects with stable reasons', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    let deepContent: unknown = 'x';
    for (let i = 0; i < 200; i++) deepContent = [deepContent];
    const lines = [
      litellm({ id: 'ok-1' }),
      litellm({ id: 'huge', messages: [{ role: 'user', content: 'a'.repeat(2 * 1024 * 1024) }] }),
      litellm({ id: 'deep', metadata: deep }),
      litellm({ id: 'deep-json', messages: JSON.stringify([{ role: 'user', content: deepContent }]) }),
      litellm({ id: 'bad-time', startTime: 'yesterday' }),
      litellm({ id: 'num-account', metadata: { user_api_key_user_id: 42 } }),
      litellm({ id: 'str-tokens', prompt_tokens: '12' }),
      litellm({ id: 'bad-role', messages: [{ role: 'wizard', content: 'q' }] }),
      litellm({ id: 'no-messages', messages: 5 }),
      '[1, 2]',
      '"text"',
      '{"call_type": "completion", "startTime": ',
      litellm({ id: 'ok-2' }),
    ];
    const path = await tempFile('litellm.jsonl', `${lines.join('\n')}\n`);
    const { events, rejects } = await read([path]);
    expect(events.map((e) => e.id)).toEqual(['ok-1', 'ok-2']);
    expect(reasons(rejects)).toEqual([
      [2, 'line_too_long'],
      [3, 'too_deep'],
      [4, 'too_deep'],
      [5, 'bad_timestamp'],
      [6, 'wrong_type'],
      [7, 'wrong_type'],
      [8, 'unknown_role'],
      [9, 'missing_field'],
      [10, 'not_an_object'],
      [10, 'not_an_object'],
      [11, 'not_an_object'],
      [12, 'invalid_json'],
    ]);
    expect(rejects.find((r) => r.line === 6)!.message).toContain('metadata.user_api_key_user_id');
  });

  it('bounds nesting before the mapper walks a record, and inside JSON text it parses (Kong payload)', async () => {
    // Built as text: JSON.stringify itself overflows the stack on such values.
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    const kong = (payload: string) =>
      `{"started_at": 1795780800000, "client_ip": "192.0.2.1", "consumer": {"username": "c"}, "ai": {"proxy": {"payload": {"request": ${payload}}}}}`;
    const lines = [kong(`{"messages": ${deep}}`), kong(JSON.stringify(`{"messages": ${deep}}`))];
    const { events, rejects } = await read([await tempFile('kong.jsonl', `${lines.join('\n')}\n`)], 'kong');
    expect(events).toEqual([]);
    expect(reasons(rejects)).toEqual([
      [1, 'too_deep'],
      [2, 'too_deep'],
    ]);
    const langfuse = `{"id": "o", "traceId": "t", "type": "GENERATION", "startTime": "2026-11-28T09:00:00Z", "userId": "u", "input": ${deep}}`;
    const l = await read([await tempFile('lf.jsonl', `${langfuse}\n`)]);
    expect(reasons(l.rejects)).toEqual([[1, 'too_deep']]);
  });

  it('refuses a file whose first records match two formats, naming them (UNKNOWN_FORMAT)', async () => {
    const both = JSON.stringify({
      call_type: 'completion',
      startTime: 1,
      Gateway: 'g',
      Provider: 'openai',
    });
    await expect(read([await tempFile('both.jsonl', `${both}\n`)])).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message: expect.stringContaining('--format litellm|cloudflare') as string,
    });
    const mixed = [litellm({}), JSON.stringify({ Gateway: 'g', Provider: 'openai', Timestamp: 1 })];
    await expect(read([await tempFile('mixed.jsonl', `${mixed.join('\n')}\n`)])).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
    });
    // --format settles it: the records are read as LiteLLM (the Cloudflare one lacks what that needs).
    const forced = await read([await tempFile('mixed.jsonl', `${mixed.join('\n')}\n`)], 'litellm');
    expect(forced.events).toHaveLength(1);
    expect(forced.rejects).toHaveLength(1);
  });

  it('reads native events as before when nothing marks another format', async () => {
    const native = JSON.stringify({
      id: 'n1',
      ts: '2026-11-27T10:00:00Z',
      account_id: 'a',
      model: 'm',
      request: { messages: [{ role: 'user', content: 'q' }] },
    });
    const path = await tempFile('native.ndjson', `${native}\n{"id": 2}\n`);
    const r = await validateFiles([path], { quarantine: join(tmpdir(), `dg-q-${process.pid}.ndjson`) });
    expect(r.summary.files[0]).toMatchObject({ format: 'ndjson', events: 1, rejected: 1 });
  });
});
