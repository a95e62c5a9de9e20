import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, Findings } from '../src/contracts/index.js';
import type { IngestThread, RunningService, StartServiceOptions } from '../src/server/index.js';
import { countEvents, type CoreDb } from '../src/store/index.js';
import { ensureBuilt } from './cli-harness.js';
import { call, ndjson, simulatedTraffic } from './server-harness.js';
import { openTestDatabase, storeTestBackends, type TestDatabase } from './store-harness.js';

// serve's ingest thread runs from the build (its worker entry is compiled JavaScript), so these
// tests start the built service, with its engine in a thread of its own as `serve` runs it.
const backends = await storeTestBackends();
const traffic = simulatedTraffic(12_000, 23);
const events = traffic.events;

let startService: (o: StartServiceOptions) => Promise<RunningService>;
beforeAll(async () => {
  ensureBuilt();
  const url = pathToFileURL(path.resolve(import.meta.dirname, '../dist/server/index.js')).href;
  ({ startService } = (await import(url)) as { startService: typeof startService });
});

interface Served {
  service: RunningService;
  url: string;
  key: string;
  db: CoreDb;
  /** Starts the service again on the same store, without waiting for detection's rebuild. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** The built service on a fresh store, plus a connection of the test's own to count what it stored. */
async function serve(
  dialect: 'sqlite' | 'postgres',
  extra: Partial<StartServiceOptions> = {},
): Promise<Served> {
  const store: TestDatabase<never> = await openTestDatabase(dialect);
  const key = `dg_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
  const start = () =>
    startService({
      port: 0,
      logger: false,
      minRefreshMs: 50,
      adminKey: key,
      databaseUrl: store.url,
      databaseSchema: store.schema,
      ...extra,
    });
  const service = await start();
  await service.ready;
  const served: Served = {
    service,
    url: service.url,
    key,
    db: store.db as unknown as CoreDb,
    async restart() {
      await served.service.close();
      served.service = await start();
      served.url = served.service.url;
    },
    async dispose() {
      await served.service.close();
      await store.dispose();
    },
  };
  return served;
}

const post = (s: Served, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/x-ndjson', ...headers },
    body,
  });

/** What POST /v1/events answers: counts, or an error. */
interface Answer {
  accepted?: number;
  duplicates?: number;
  error?: { code: string; message: string };
}

const threadOf = (s: Served) => s.service.ctx.ingest as IngestThread;

/** The findings once everything ingested so far is scored (generated_at aside). */
async function scored(s: Served): Promise<Findings> {
  await s.service.ctx.live.refresh();
  return { ...s.service.ctx.live.view.findings, generated_at: '' };
}

async function until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(backends)("serve's ingest thread on %s", (dialect) => {
  describe('against ingest on the API thread', () => {
    let threaded: Served;
    let inProcess: Served;
    beforeAll(async () => {
      threaded = await serve(dialect);
      inProcess = await serve(dialect, { ingestThread: false });
    });
    afterAll(async () => {
      await threaded?.dispose();
      await inProcess?.dispose();
    });

    it('answers every body alike: counts, per-line reasons, duplicates, refusals, gzip, JSON arrays', async () => {
      expect(threaded.service.ctx.ingest.state).toBe('running');
      expect(inProcess.service.ctx.ingest.state).toBe('in-process');
      for (const s of [threaded, inProcess]) {
        const r = await call(`${s.url}/v1/accounts`, 'POST', s.key, { raw: ndjson(traffic.accounts) });
        expect(r.status).toBe(202);
      }
      const bad = ['{"id":"broken"', '{"not":"an event"}', JSON.stringify({ ...events[0], ts: 'yesterday' })];
      const bodies: { body: string | Buffer; headers?: Record<string, string> }[] = [
        { body: [ndjson(events.slice(0, 3000)), ...bad].join('\n') },
        // Re-sent with 1,000 new ones, one of them twice in the body.
        { body: ndjson([...events.slice(2000, 4000), events[3999]!]) },
        { body: bad.join('\n') },
        { body: gzipSync(ndjson(events.slice(4000, 6000))), headers: { 'content-encoding': 'gzip' } },
        { body: 'not gzip at all', headers: { 'content-encoding': 'gzip' } },
        { body: ndjson(events.slice(6000, 6100)), headers: { 'content-encoding': 'br' } },
        {
          body: JSON.stringify([...events.slice(6000, 7000), { id: 'no-account' }]),
          headers: { 'content-type': 'application/json' },
        },
        { body: '[]', headers: { 'content-type': 'application/json' } },
        { body: '\n\n' },
      ];
      const answers: { status: number; body: unknown }[][] = [[], []];
      for (const b of bodies)
        for (const [i, s] of [threaded, inProcess].entries()) {
          const r = await post(s, b.body, b.headers);
          answers[i]!.push({ status: r.status, body: await r.json() });
        }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]!.map((a) => a.status)).toEqual([202, 202, 400, 202, 400, 400, 202, 202, 400]);
      expect(answers[0]![0]!.body).toMatchObject({ accepted: 3000, duplicates: 0, rejected: 3 });
      expect(answers[0]![1]!.body).toMatchObject({ accepted: 1000, duplicates: 1001, rejected: 0 });
      expect(answers[0]![2]!.body).toMatchObject({ error: { code: 'INVALID_INPUT' } });

      expect(await countEvents(threaded.db)).toBe(7000);
      expect(await countEvents(inProcess.db)).toBe(7000);
      // Rejected lines of stored bodies count toward the findings' input; a refused body's do not.
      expect(threaded.service.ctx.live.stats).toEqual(inProcess.service.ctx.live.stats);
      expect(threaded.service.ctx.live.stats.rejected_lines).toBe(4);
      // The engine took in, over the ingest thread's own port, every event stored before the refresh.
      const a = await scored(threaded);
      expect(a.input.events).toBe(7000);
      expect(a.accounts.length).toBeGreaterThan(0);
      expect(a).toEqual(await scored(inProcess));
    });
  });

  it('refuses batches with 503 and Retry-After while its queue is full, and stores every batch it took', async () => {
    const s = await serve(dialect, { ingestThread: { maxBatches: 1 } });
    try {
      const batches = Array.from({ length: 6 }, (_, i) => ndjson(events.slice(i * 1500, (i + 1) * 1500)));
      const answers = await Promise.all(
        batches.map(async (b) => {
          const r = await post(s, b);
          return {
            status: r.status,
            retryAfter: r.headers.get('retry-after'),
            body: (await r.json()) as Answer,
          };
        }),
      );
      const taken = answers.filter((a) => a.status === 202);
      const refused = answers.filter((a) => a.status !== 202);
      expect(taken.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.retryAfter).toBe('1');
        expect(r.body.error?.code).toBe('SERVICE_UNAVAILABLE');
        expect(r.body.error?.message).toMatch(/ingest queue is full/);
      }
      const accepted = taken.reduce((n, a) => n + (a.body.accepted ?? 0), 0);
      expect(accepted).toBe(taken.length * 1500);
      expect(await countEvents(s.db)).toBe(accepted);
      // Sent again one at a time, the refused batches are all taken.
      for (const [i, a] of answers.entries())
        if (a.status !== 202) expect((await post(s, batches[i]!)).status).toBe(202);
      expect(await countEvents(s.db)).toBe(9000);
      expect((await scored(s)).input.events).toBe(9000);
    } finally {
      await s.dispose();
    }
  });

  it('fails the batch it held closed when the thread dies, is unhealthy until restarted, then takes it again', async () => {
    const s = await serve(dialect, { ingestThread: { restartDelayMs: 1500 } });
    const metrics = await s.service.serveMetrics(0, '127.0.0.1');
    const health = async () => {
      const r = await fetch(`http://127.0.0.1:${metrics.port}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    try {
      expect(await health()).toMatchObject({ status: 200, body: { ingest_thread: 'running' } });
      const big: ApiEvent[] = events.slice(0, 6000);
      const body = ndjson(big);
      const answer = post(s, body);
      await until(() => threadOf(s).inFlight > 0, 'the batch to reach the ingest thread');
      await threadOf(s).thread!.terminate();
      const r = await answer;
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      const refused = ((await r.json()) as Answer).error;
      expect(refused?.code).toBe('SERVICE_UNAVAILABLE');
      expect(refused?.message).toMatch(/ingest thread stopped/);

      // Down: ingest fails closed and the probe says so, until the thread is back.
      expect(s.service.ctx.ingest.state).toBe('restarting');
      expect(await health()).toMatchObject({ status: 503, body: { ingest_thread: 'restarting' } });
      const meanwhile = await post(s, ndjson(events.slice(6000, 6010)));
      expect(meanwhile.status).toBe(503);
      expect(((await meanwhile.json()) as Answer).error?.message).toMatch(/restarting/);

      await until(() => s.service.ctx.ingest.state === 'running', 'the ingest thread to restart');
      expect(await health()).toMatchObject({ status: 200, body: { ingest_thread: 'running' } });
      const again = await post(s, body);
      expect(again.status).toBe(202);
      const counts = (await again.json()) as { accepted: number; duplicates: number };
      expect(counts.accepted + counts.duplicates).toBe(big.length);
      expect(await countEvents(s.db)).toBe(big.length);
      expect((await scored(s)).input.events).toBe(big.length);
    } finally {
      await metrics.close();
      await s.dispose();
    }
  });

  it('stores events posted while detection rebuilds and feeds every event to the engine exactly once', async () => {
    const s = await serve(dialect);
    try {
      expect((await post(s, ndjson(events.slice(0, 4000)))).status).toBe(202);
      await s.restart();
      // Batches race the rebuild (1,000 stored before, 2,000 new): held back, then fed after it.
      const answers = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const r = await post(s, ndjson(events.slice(3000 + i * 1000, 4000 + i * 1000)));
          return { status: r.status, body: (await r.json()) as Answer };
        }),
      );
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      expect(answers.reduce((n, a) => n + (a.body.accepted ?? 0), 0)).toBe(2000);
      await s.service.ready;
      expect(s.service.ctx.ingest.state).toBe('running');
      expect((await scored(s)).input.events).toBe(6000);
      expect(s.service.ctx.live.stats.events).toBe(6000);
    } finally {
      await s.dispose();
    }
  });
});
