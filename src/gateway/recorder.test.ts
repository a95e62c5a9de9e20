import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../schema/index.js';
import { EventRecorder } from './recorder.js';
import { SinkRejectedBatch, type EventSink } from './sinks.js';

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
});
