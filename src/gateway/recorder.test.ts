import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contracts/index.js';
import { EventRecorder } from './recorder.js';
import { HttpEventSink, NdjsonFileSink, SinkRejectedBatch, type EventSink } from '../pipeline/index.js';

const ev = (i: number): ApiEvent => ({
  id: `gw-${i}`,
  ts: '2026-11-23T06:00:00Z',
  account_id: 'acct-1',
  model: 'demo-1',
  request: { messages: [{ role: 'user', content: `q${i}` }] },
});

const open: EventRecorder[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close().catch(() => undefined);
});

function recorder(sink: EventSink, spoolPath: string): EventRecorder {
  const r = new EventRecorder({ sink, spoolPath, flushIntervalMs: 100_000, drainIntervalMs: 100_000 });
  open.push(r);
  return r;
}

describe('EventRecorder', () => {
  it('sets aside batches the sink refuses for good instead of retrying them forever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    const r = recorder(
      { write: () => Promise.reject(new SinkRejectedBatch('HTTP 400')) },
      join(dir, 'spool.ndjson'),
    );
    r.record(ev(1));
    r.record(ev(2));
    await r.flush();
    expect(r.stats).toMatchObject({ recorded: 2, sent: 0, spooled: 0, rejected: 2, pending: 0 });
    const kept = readFileSync(join(dir, 'spool.ndjson.rejected'), 'utf8').trim().split('\n');
    expect(kept.map((l) => (JSON.parse(l) as ApiEvent).id)).toEqual(['gw-1', 'gw-2']);
  });

  it('keeps events in memory when neither the sink nor the spool can take them, and sends them later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    // A spool path that is a directory cannot be appended to.
    mkdirSync(join(dir, 'spool.ndjson'));
    let up = false;
    const got: string[] = [];
    const sink: EventSink = {
      write: (batch) => {
        if (!up) return Promise.reject(new Error('down'));
        got.push(...batch.map((e) => e.id));
        return Promise.resolve();
      },
    };
    const errors: string[] = [];
    const r = new EventRecorder({
      sink,
      spoolPath: join(dir, 'spool.ndjson'),
      flushIntervalMs: 100_000,
      drainIntervalMs: 100_000,
      onError: (_e, context) => errors.push(context),
    });
    open.push(r);
    r.record(ev(1));
    await r.flush();
    expect(r.stats).toMatchObject({ recorded: 1, sent: 0, spooled: 0, pending: 1 });
    expect(errors.some((e) => e.includes('keeping 1 events in memory'))).toBe(true);
    up = true;
    r.record(ev(2));
    await r.flush();
    expect(got.sort()).toEqual(['gw-1', 'gw-2']);
    expect(r.stats.pending).toBe(0);
  });

  it('spools what the server could not take for now (5xx, 429, 401) and sets aside what it refuses (400, 413)', async () => {
    let status = 503;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'X', message: `answered ${status}` } }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
      const spool = join(dir, 'spool.ndjson');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = recorder(new HttpEventSink(url, 'k'), spool);
      let n = 0;
      for (const s of [503, 429, 401]) {
        status = s;
        r.record(ev(++n));
        await r.flush();
      }
      expect(r.stats).toMatchObject({ recorded: 3, sent: 0, spooled: 3, rejected: 0 });
      expect(existsSync(`${spool}.rejected`)).toBe(false);
      for (const s of [400, 413]) {
        status = s;
        r.record(ev(++n));
        await r.flush();
      }
      expect(r.stats).toMatchObject({ recorded: 5, spooled: 3, rejected: 2 });
      const reasons = readFileSync(`${spool}.rejected.reasons`, 'utf8').trim().split('\n');
      expect(
        reasons.map((l) => JSON.parse(l) as { id: string; reason: string; message: string }),
      ).toMatchObject([
        { id: 'gw-4', reason: 'batch_refused', message: 'POST /v1/events: HTTP 400 answered 400' },
        { id: 'gw-5', reason: 'batch_refused', message: 'POST /v1/events: HTTP 413 answered 413' },
      ]);
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
  });

  it('sends batches no bigger than maxBatchBytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    const sizes: number[] = [];
    const r = new EventRecorder({
      sink: { write: (batch, ndjson) => (sizes.push(Buffer.byteLength(ndjson ?? '')), Promise.resolve()) },
      spoolPath: join(dir, 'spool.ndjson'),
      flushIntervalMs: 100_000,
      drainIntervalMs: 100_000,
      maxBatchBytes: 10_000,
    });
    open.push(r);
    for (let i = 0; i < 50; i++)
      r.record({ ...ev(i), request: { messages: [{ role: 'user', content: 'x'.repeat(1000) }] } });
    await r.flush();
    expect(r.stats).toMatchObject({ recorded: 50, sent: 50, pending: 0 });
    expect(sizes.length).toBeGreaterThan(4);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10_000);
  });

  it('fits an over-long event found in the spool (left by an older gateway) instead of sending it to be refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    const spool = join(dir, 'spool.ndjson');
    const big = { ...ev(1), request: { messages: [{ role: 'user', content: 'y'.repeat(20_000) }] } };
    writeFileSync(spool, `${JSON.stringify(big)}\n`);
    const got: string[] = [];
    const r = new EventRecorder({
      sink: { write: (_b, ndjson) => (got.push(String(ndjson ?? '')), Promise.resolve()) },
      spoolPath: spool,
      flushIntervalMs: 100_000,
      drainIntervalMs: 100_000,
      maxEventBytes: 10_000,
    });
    open.push(r);
    await r.drain();
    expect(r.stats).toMatchObject({ drained: 1, sent: 1 });
    expect(Buffer.byteLength(got[0]!)).toBeLessThanOrEqual(10_001);
    expect(got[0]).toContain('[truncated by the DistillGuard gateway');
  });
});

describe('EventRecorder batch bytes', () => {
  it('writes every batch as exactly its events’ JSON lines, UTF-8, also when a smaller batch follows a larger one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    const path = join(dir, 'events.ndjson');
    const r = recorder(new NdjsonFileSink(path), join(dir, 'spool.ndjson'));
    const texts = [
      'plain',
      'café … naïve',
      '漢字かな',
      'emoji 😀 and a lone \ud800 half',
      'x'.repeat(5000) + 'é',
    ];
    const events: ApiEvent[] = [];
    // Three flushes: a long multibyte batch, then shorter ones that reuse the same memory.
    for (const [n, long] of [
      [40, true],
      [3, false],
      [1, false],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const e = ev(events.length);
        e.request.messages[0]!.content = long
          ? texts[i % texts.length]!.repeat(20)
          : texts[i % texts.length]!;
        events.push(e);
        r.record(e);
      }
      await r.flush();
    }
    await r.close();
    expect(readFileSync(path, 'utf8')).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });

  it('sends the next batch intact after a write that failed while holding the bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-rec-'));
    const got: string[] = [];
    const held: Buffer[] = [];
    let calls = 0;
    const r = recorder(
      {
        write: (_b, ndjson) => {
          calls++;
          // The first write keeps a view of the bytes and fails: that memory must not be reused.
          if (calls === 1) {
            held.push(ndjson as Buffer);
            return Promise.reject(new Error('network down'));
          }
          got.push(String(ndjson));
          return Promise.resolve();
        },
      },
      join(dir, 'spool.ndjson'),
    );
    r.record(ev(1));
    await r.flush();
    const first = String(held[0]);
    r.record(ev(2));
    await r.flush();
    expect(String(held[0])).toBe(first);
    expect(got).toEqual([`${JSON.stringify(ev(2))}\n`]);
  });
});
