import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import { DetectionEngine } from '../findings/index.js';
import { IngestReport, readInput, type PartitionChannel } from '../ingest/index.js';
import { feedEngine } from './analyze-files.js';
import { EngineThreadHost } from './engine-thread-host.js';
import { FindingsDeltaDecoder, unpackEdges } from './live/findings-delta.js';
import {
  lineBatchTransfer,
  type EngineReply,
  type EngineRequest,
  type EngineThreadData,
} from './engine-thread-protocol.js';

const open: MessageChannel[] = [];
afterEach(() => {
  for (const c of open.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A host behind a real MessageChannel: every request and reply goes through a structured clone. */
function connect(data: EngineThreadData = {}) {
  const channel = new MessageChannel();
  open.push(channel);
  const host = new EngineThreadHost(data, (reply, transfer) =>
    channel.port2.postMessage(reply, transfer ?? []),
  );
  channel.port2.on('message', (m: EngineRequest) => host.handle(m));
  const replies: EngineReply[] = [];
  const waiting: ((r: EngineReply) => void)[] = [];
  channel.port1.on('message', (m: EngineReply) => {
    const w = waiting.shift();
    if (w) w(m);
    else replies.push(m);
  });
  return {
    send: (msg: EngineRequest, transfer: ArrayBuffer[] = []) => channel.port1.postMessage(msg, transfer),
    next: (): Promise<EngineReply> => {
      const r = replies.shift();
      return r ? Promise.resolve(r) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

const account = (i: number): AccountRecord => ({
  account_id: `acct-${i % 7}`,
  created_at: '2026-11-01T00:00:00Z',
  payment_fingerprint: `card-${i % 3}`,
});

const event = (i: number): ApiEvent => ({
  id: `e${i}`,
  ts: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  account_id: `acct-${i % 7}`,
  model: 'm-large',
  request: { messages: [{ role: 'user', content: `explain your reasoning step by step, case ${i % 11}` }] },
});

const strip = (f: { generated_at: string }) => ({ ...f, generated_at: '' });

describe('the engine thread protocol', () => {
  it('live: events and accounts in, the findings of the same engine in process out', async () => {
    const local = new DetectionEngine();
    const t = connect();
    const accounts = Array.from({ length: 7 }, (_, i) => account(i));
    const events = Array.from({ length: 300 }, (_, i) => event(i));
    for (const a of accounts) local.addAccount(a);
    for (const e of events) local.addEvent(e);
    t.send({ type: 'accounts', records: accounts });
    t.send({ type: 'events', id: 1, events });
    expect(await t.next()).toEqual({ type: 'ack', id: 1, unusable: [] });
    t.send({ type: 'analyze', id: 2, rejectedLines: 4 });
    const r = await t.next();
    const want = local.analyze({ rejectedLines: 4 });
    expect(r.type).toBe('result');
    if (r.type !== 'result') return;
    expect(r.id).toBe(2);
    const got = new FindingsDeltaDecoder().decode(r.delta);
    expect(strip(got.findings)).toEqual(strip(want.findings));
    expect(unpackEdges(got.packedEdges!)).toEqual(want.edges);
  });

  it('live: each scoring round hands over only the findings that changed since the round the asker holds', async () => {
    const local = new DetectionEngine();
    const t = connect();
    const decoder = new FindingsDeltaDecoder();
    const accounts = Array.from({ length: 7 }, (_, i) => account(i));
    t.send({ type: 'accounts', records: accounts });
    for (const a of accounts) local.addAccount(a);
    const round = async (id: number, events: ApiEvent[], base = decoder.round) => {
      for (const e of events) local.addEvent(e);
      t.send({ type: 'events', id: 1000 + id, events });
      expect(await t.next()).toMatchObject({ type: 'ack', id: 1000 + id });
      t.send({ type: 'analyze', id, rejectedLines: 0, base });
      const r = await t.next();
      if (r.type !== 'result') throw new Error(`expected a result, got ${r.type}`);
      const got = decoder.decode(r.delta);
      expect(strip(got.findings)).toEqual(strip(local.analyze().findings));
      return { ...r.delta, got };
    };
    const first = await round(
      1,
      Array.from({ length: 300 }, (_, i) => event(i)),
    );
    expect(first.base).toBe(0);
    expect(first.accounts.every((a) => typeof a !== 'string')).toBe(true);
    // Nothing new: every finding is named, none copied.
    const same = await round(2, []);
    expect(same.base).toBe(first.round);
    expect(same.accounts.length).toBe(7);
    expect(same.accounts.every((a) => typeof a === 'string')).toBe(true);
    // Events of one account: that account's finding comes whole; the others stay the objects held.
    const one = await round(
      3,
      Array.from({ length: 40 }, (_, i) => ({ ...event(7 * (400 + i)), id: `more-${i}` })),
    );
    const changed = one.accounts.filter((a) => typeof a !== 'string');
    expect(changed.map((a) => (a as { account_id: string }).account_id)).toContain('acct-0');
    expect(changed.length).toBeLessThan(7);
    for (const a of one.got.findings.accounts)
      if (one.accounts.includes(a.account_id))
        expect(a).toBe(same.got.findings.accounts.find((h) => h.account_id === a.account_id));
    // An asker that holds another round (it lost one) gets everything whole, never a patch.
    const whole = await round(4, [], 0);
    expect(whole.base).toBe(0);
    expect(whole.accounts.every((a) => typeof a !== 'string')).toBe(true);
    const stale = await round(5, [], whole.round - 1);
    expect(stale.base).toBe(0);
    // A delta against a round the receiver does not hold is refused, and it then asks for all.
    const fresh = new FindingsDeltaDecoder();
    expect(() => fresh.decode({ ...same, base: 3, round: 4 })).toThrow(/round 3/);
    expect(fresh.round).toBe(0);
  });

  it('skips and reports records the engine throws on, and answers a failed request with its id', async () => {
    const t = connect();
    const bad = { id: 'bad', account_id: 'acct-1' } as unknown as ApiEvent;
    t.send({ type: 'events', id: 5, events: [event(1), bad, event(2)] });
    const ack = await t.next();
    expect(ack).toMatchObject({ type: 'ack', id: 5, unusable: [{ kind: 'event', id: 'bad' }] });
    t.send({ type: 'accounts', records: [account(1), null as unknown as AccountRecord] });
    expect(await t.next()).toMatchObject({ type: 'unusable', unusable: [{ kind: 'account' }] });
    t.send({ type: 'has', id: 6, eventId: 'e1' });
    // `has` asks the line processor, which saw no lines: parsed events are not its ids.
    expect(await t.next()).toEqual({ type: 'has', id: 6, has: false });
  });

  it('batch: partitions fed raw lines and merged give the findings of one engine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-thread-'));
    const traffic = join(dir, 'traffic.ndjson');
    const accountsFile = join(dir, 'accounts.ndjson');
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify(event(i)));
    lines.splice(50, 0, lines[10]!, '{"id": "broken"', lines[20]!.replace('"acct-6"', '"acct-other"'));
    await writeFile(traffic, `${lines.join('\n')}\n`);
    await writeFile(
      accountsFile,
      `${Array.from({ length: 7 }, (_, i) => JSON.stringify(account(i))).join('\n')}\n`,
    );

    const single = new DetectionEngine();
    const singleReport = await feedEngine(single, [traffic], { accounts: [accountsFile] });

    let nextId = 1;
    const threads = [connect({ ingest: {} }), connect({ ingest: {} })];
    const channels: PartitionChannel[] = threads.map((t) => ({
      addAccounts: (records) => t.send({ type: 'accounts', records }),
      send: async (batch) => {
        t.send({ type: 'lines', id: nextId++, batch }, lineBatchTransfer(batch));
        const r = await t.next();
        if (r.type !== 'lines') throw new Error(`expected lines, got ${r.type}`);
        return r.result;
      },
      hasId: async (eventId) => {
        t.send({ type: 'has', id: nextId++, eventId });
        const r = await t.next();
        if (r.type !== 'has') throw new Error(`expected has, got ${r.type}`);
        return r.has;
      },
    }));
    const report = new IngestReport();
    await readInput([traffic], channels, { accounts: [accountsFile], report });
    const merged = new DetectionEngine();
    for (const t of threads) {
      t.send({ type: 'export', id: nextId++ });
      const r = await t.next();
      if (r.type !== 'state') throw new Error(`expected state, got ${r.type}`);
      for (const a of r.state.state.accounts) if (a.stats) report.countAccountId(a.account_id);
      merged.importState(r.state.state, r.state.kernels);
    }
    expect(report.toJSON()).toEqual(singleReport.toJSON());
    // The copy of e10, the broken line, and e20 again under another account.
    expect(report.rejectedLines).toBe(3);
    const a = single.analyze({ rejectedLines: 3 });
    const b = merged.analyze({ rejectedLines: 3 });
    expect(strip(b.findings)).toEqual(strip(a.findings));
  });
});
