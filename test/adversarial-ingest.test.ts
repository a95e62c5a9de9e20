import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, MemoryQuarantine, readEvents } from '../src/ingest/index.js';
import type { ApiEvent } from '../src/contracts/index.js';
import type { FindingsEngine } from '../src/pipeline/index.js';
import { countEvents, listQuarantinedStoredEvents } from '../src/store/index.js';
import { storeTestBackends } from './store-harness.js';
import { ensureBuilt } from './cli-harness.js';
import { call, ndjson, simulatedTraffic, startTestService, type TestService } from './server-harness.js';

/**
 * "Hold under attack", defect 1: one event with an unknown field nested thousands deep (~10 KB)
 * was stored, then broke the hand-off to the engine worker (structured clone overflows its stack),
 * wedged an in-flight slot per batch until every ingest hung, and crashed every restart.
 */

const traffic = simulatedTraffic(400, 23);
const valid = traffic.events;

/** The text of a valid event with an unknown field nested `depth` objects deep (built as text:
 * JSON.stringify itself overflows on such a value). */
function deepEventText(id: string, depth: number, base: ApiEvent = valid[0]!): string {
  const head = JSON.stringify({ ...base, id });
  return `${head.slice(0, -1)},"meta":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

interface Rejected {
  accepted: number;
  rejected: number;
  errors: { line: number; reason: string; message: string }[];
}
interface Refused {
  error: { code: string; message: string; details?: { errors: Rejected['errors'] } };
}

/** A call that gives up (status 0) instead of hanging the test when the server never answers. */
async function post(url: string, key: string, body: string, type = 'application/x-ndjson') {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': type },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

type WorkerEngineClass = new () => FindingsEngine & { close(): Promise<void>; drain(): Promise<void> };

let WorkerEngine: WorkerEngineClass;
beforeAll(async () => {
  // The attack lives in the worker hand-off: run the built engine worker, as `serve` does.
  ensureBuilt();
  const mod = (await import(
    pathToFileURL(path.resolve(import.meta.dirname, '../dist/pipeline/live/engine-thread-client.js')).href
  )) as { WorkerEngine: WorkerEngineClass };
  WorkerEngine = mod.WorkerEngine;
});

const backends = await storeTestBackends();

describe.each(backends)('a deeply nested event on the %s store', (dialect) => {
  let ts: TestService;
  beforeAll(async () => {
    ts = await startTestService(dialect, { engine: () => new WorkerEngine() });
  });
  afterAll(async () => ts?.dispose());

  it('is refused with too_deep and stored nowhere; nine of them do not wedge ingest', async () => {
    const before = await countEvents(ts.service.ctx.db);
    const statsBefore = ts.service.ctx.live.stats.events;
    for (let i = 0; i < 10; i++) {
      const r = await post(`${ts.url}/v1/events`, ts.admin, deepEventText(`deep-${i}`, 5000));
      expect(r.status).toBe(400);
      const err = (r.body as Refused).error;
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.details?.errors).toEqual([
        {
          line: 1,
          reason: 'too_deep',
          message: expect.stringMatching(
            /field "meta" nests objects and arrays more than 64 levels/,
          ) as string,
        },
      ]);
    }
    expect(await countEvents(ts.service.ctx.db)).toBe(before);

    // A mixed batch: the deep line is reported by number, the valid ones stored and answered.
    const mixed = [JSON.stringify(valid[0]), deepEventText('deep-mixed', 100), ndjson(valid.slice(1, 100))];
    const r = await post(`${ts.url}/v1/events`, ts.admin, mixed.join('\n'));
    expect(r.status).toBe(202);
    const body = r.body as Rejected;
    expect(body.accepted).toBe(100);
    expect(body.errors.map((e) => [e.line, e.reason])).toEqual([[2, 'too_deep']]);

    const health = await call(`${ts.url}/healthz`, 'GET', null);
    expect(health.status).toBe(200);
    await ts.service.ctx.live.refresh();
    expect(ts.service.ctx.live.stats.events - statsBefore).toBe(100);

    // The limit is inclusive: an event exactly at it is stored (the event itself is level 1, its
    // "meta" object level 2, so 63 nested objects reach level 64).
    const atLimit = await post(`${ts.url}/v1/events`, ts.admin, deepEventText('at-limit', 63, valid[100]));
    expect(atLimit.status).toBe(202);
    const over = await post(`${ts.url}/v1/events`, ts.admin, deepEventText('over-limit', 64, valid[101]));
    expect(over.status).toBe(400);
    expect((over.body as Refused).error.details?.errors[0]?.reason).toBe('too_deep');

    // Account records are held to the same bound (they go to the engine worker too).
    const account = JSON.stringify(traffic.accounts[0]);
    const deepAccount = `${account.slice(0, -1)},"meta":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const acc = await post(`${ts.url}/v1/accounts`, ts.admin, deepAccount);
    expect(acc.status).toBe(400);
    expect((acc.body as Refused).error.details?.errors[0]).toMatchObject({ line: 1, reason: 'too_deep' });

    // A restart rebuilds from the store and answers again.
    await ts.restart();
    expect((await call(`${ts.url}/healthz`, 'GET', null)).body).toMatchObject({ status: 'ok' });
    const again = await post(`${ts.url}/v1/events`, ts.admin, ndjson(valid.slice(200, 250)));
    expect(again.status).toBe(202);
    expect((again.body as Rejected).accepted).toBe(50);
  });

  it('JSON-array bodies: a deep item is refused by index, an item over the size limit as NDJSON does', async () => {
    const before = await countEvents(ts.service.ctx.db);
    const only = await post(
      `${ts.url}/v1/events`,
      ts.admin,
      `[${deepEventText('deep-arr', 5000)}]`,
      'application/json',
    );
    expect(only.status).toBe(400);
    expect((only.body as Refused).error.details?.errors).toEqual([
      { line: 1, reason: 'too_deep', message: expect.stringMatching(/^item 1: /) as string },
    ]);

    const items = [JSON.stringify(valid[300]), deepEventText('deep-arr-2', 5000), JSON.stringify(valid[301])];
    const r = await post(`${ts.url}/v1/events`, ts.admin, `[${items.join(',')}]`, 'application/json');
    expect(r.status).toBe(202);
    expect((r.body as Rejected).accepted).toBe(2);
    expect((r.body as Rejected).errors.map((e) => [e.line, e.reason])).toEqual([[2, 'too_deep']]);

    // A prompt over the per-line limit: NDJSON says line_too_long, and so must the array path.
    const big: ApiEvent = {
      ...valid[302]!,
      id: 'big-prompt',
      request: { messages: [{ role: 'user', content: 'x'.repeat(DEFAULT_MAX_LINE_BYTES + 10) }] },
    };
    const asLine = await post(`${ts.url}/v1/events`, ts.admin, JSON.stringify(big));
    const asItem = await post(`${ts.url}/v1/events`, ts.admin, JSON.stringify([big]), 'application/json');
    expect(asLine.status).toBe(400);
    expect(asItem.status).toBe(400);
    expect((asLine.body as Refused).error.details?.errors[0]?.reason).toBe('line_too_long');
    expect((asItem.body as Refused).error.details?.errors[0]).toMatchObject({
      line: 1,
      reason: 'line_too_long',
      message: expect.stringMatching(/^item 1 is \d+ bytes/) as string,
    });
    expect(await countEvents(ts.service.ctx.db)).toBe(before + 2);
  });

  it('a rebuild quarantines an unusable stored event, says why, and carries on', async () => {
    // Rows written before the bound existed (or by hand): the store holds what ingest now refuses.
    const deep = deepEventText('stored-deep', 5000, valid[350]);
    await ts.service.ctx.db
      .insertInto('events')
      .values([
        {
          id: 'stored-deep',
          account_id: valid[350]!.account_id,
          ts: valid[350]!.ts,
          ts_ms: Date.parse(valid[350]!.ts),
          body: deep,
          received_at: 1,
        },
        {
          id: 'stored-garbage',
          account_id: 'acct-x',
          ts: valid[351]!.ts,
          ts_ms: Date.parse(valid[351]!.ts),
          body: '{not json',
          received_at: 1,
        },
      ])
      .execute();
    const stored = await countEvents(ts.service.ctx.db);

    await ts.restart();
    expect((await call(`${ts.url}/healthz`, 'GET', null)).body).toMatchObject({ status: 'ok' });
    expect(ts.service.ctx.live.stats.events).toBe(stored - 2);
    const quarantined = await listQuarantinedStoredEvents(ts.service.ctx.db);
    expect(quarantined.map((q) => [q.id, q.reason])).toEqual(
      expect.arrayContaining([
        ['stored-deep', 'too_deep'],
        ['stored-garbage', 'invalid_json'],
      ]),
    );
    expect(quarantined.find((q) => q.id === 'stored-deep')?.body).toBe(deep);
    // Moved out of the events, so the next restart does not meet them again.
    expect(await countEvents(ts.service.ctx.db)).toBe(stored - 2);

    const r = await post(`${ts.url}/v1/events`, ts.admin, ndjson(valid.slice(360, 380)));
    expect(r.status).toBe(202);
    await ts.restart();
    expect((await call(`${ts.url}/healthz`, 'GET', null)).body).toMatchObject({ status: 'ok' });
    expect(ts.service.ctx.live.stats.events).toBe(stored - 2 + 20);
  });
});

describe('the engine worker hand-off', () => {
  it('skips an event it cannot hand over, keeps the rest of the batch, and never wedges a slot', async () => {
    const unusable: string[] = [];
    const engine = new WorkerEngine();
    engine.onUnusable = (u) => unusable.push(u.id);
    try {
      // Past validation on purpose: the hand-off must hold even if something unusable gets here.
      const deep = JSON.parse(deepEventText('deep-direct', 5000)) as ApiEvent;
      for (let round = 0; round < 12; round++) {
        engine.addEvent({ ...deep, id: `deep-direct-${round}` });
        engine.addEvent(valid[round]!);
        await engine.drain();
      }
      const result = await engine.analyze();
      expect(result.findings.input.events).toBe(12);
      expect(unusable).toEqual(Array.from({ length: 12 }, (_, i) => `deep-direct-${i}`));
    } finally {
      await engine.close();
    }
  });
});

describe('file readers (validate, analyze)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'dg-deep-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reject a deep NDJSON line as too_deep and a deep OTLP span without overflowing', async () => {
    const file = path.join(dir, 'events.ndjson');
    writeFileSync(
      file,
      [JSON.stringify(valid[0]), deepEventText('deep-file', 100_000), JSON.stringify(valid[1])].join('\n'),
    );
    const quarantine = new MemoryQuarantine();
    const ids: string[] = [];
    for await (const e of readEvents([file], { quarantine })) ids.push(e.id);
    expect(ids).toEqual([valid[0]!.id, valid[1]!.id]);
    expect(quarantine.records.map((q) => [q.line, q.reason])).toEqual([[2, 'too_deep']]);

    // OTLP attribute values nest (kvlistValue inside kvlistValue): bounded, not recursed blindly.
    const depth = 20_000;
    const nested = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth)}{"stringValue":"x"}${'}]}}'.repeat(depth)}`;
    const span = `{"name":"chat m","startTimeUnixNano":"1764000000000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"enduser.id","value":{"stringValue":"acct-o"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}},{"key":"gen_ai.prompt","value":{"stringValue":"hi"}},{"key":"x.meta","value":${nested}}]}`;
    const otlp = path.join(dir, 'trace.otlp.jsonl');
    writeFileSync(otlp, `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}\n`);
    const q2 = new MemoryQuarantine();
    const got: string[] = [];
    for await (const e of readEvents([otlp], { quarantine: q2, format: 'otlp' })) got.push(e.id);
    expect(got).toEqual([]);
    expect(q2.records.map((q) => q.reason)).toEqual(['too_deep']);
  });
});
