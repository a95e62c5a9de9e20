import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contracts/index.js';
import { fingerprint64 } from '../text/index.js';
import { IngestReport } from './ingest-report.js';
import {
  partitionOfAccount,
  PartitionLineProcessor,
  readEventsPartitioned,
  scanTopLevelIds,
  type PartitionChannel,
} from './partitioned-read.js';
import { slotText } from './event-line-scanner.js';
import { MemoryQuarantine } from './quarantine-sink.js';
import { readEventBatches } from './read-events.js';

const event = (id: string, account: string, patch: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    ts: `2026-11-22T10:${String(id.length % 60).padStart(2, '0')}:00Z`,
    account_id: account,
    model: 'm-large',
    request: { messages: [{ role: 'user', content: `prompt for ${id}` }] },
    ...patch,
  });

/** Every kind of line the readers distinguish, and the same id in several accounts. */
function badInput(): Buffer {
  const lines: (string | Buffer)[] = [];
  for (let i = 0; i < 400; i++) {
    const acct = `acct-${i % 37}`;
    lines.push(event(`e${i}`, acct));
    if (i % 13 === 0) lines.push(event(`e${i}`, acct)); // exact duplicate
    if (i % 17 === 0) lines.push(event(`e${i}`, `other-${i}`)); // same id, another account
    if (i % 19 === 0) lines.push('{"id": "broken", ');
    if (i % 23 === 0) lines.push('[1, 2]', '', '   ');
    if (i % 29 === 0) lines.push(event(`n${i}`, acct, { account_id: 7 }));
    if (i % 31 === 0) lines.push(event(`d${i}`, acct).replace(/}$/, ',"account_id":"acct-last"}'));
    if (i % 37 === 0) lines.push(event(`m${i}`, acct, { meta: { account_id: 'nested', id: 'x' } }));
    if (i % 41 === 0) lines.push(event(`l${i}`, acct, { pad: 'x'.repeat(3000) }));
    if (i % 43 === 0) lines.push(`\ufeff${event(`b${i}`, acct)}\r`);
    if (i % 47 === 0) lines.push(event(`u${i}`, 'acct-ü'), event(`u${i}`, 'acct-\\u00fc'));
    if (i % 53 === 0) lines.push(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    if (i % 59 === 0) lines.push(event(`t${i}`, acct, { ts: 'yesterday' }));
  }
  // An invalid first copy, then valid copies of that id in other accounts.
  lines.push('{"id":"same","account_id":"acct-a","ts":"bad"}');
  lines.push(event('same', 'acct-b'), event('same', 'acct-c'), event('same', 'acct-a'));
  return Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from('\n')]));
}

type Kept = Pick<ApiEvent, 'id' | 'account_id'>;

/**
 * Partitions in this thread: the same processor the worker threads run; `scanned`: lines the
 * reader scanned go to useLine (as in analyze) rather than being parsed again.
 */
function channels(n: number, scanned = false): { channels: PartitionChannel[]; events: Kept[][] } {
  const events: Kept[][] = Array.from({ length: n }, () => []);
  const procs = Array.from({ length: n }, () => new PartitionLineProcessor({ maxLineBytes: 2048 }));
  return {
    events,
    channels: procs.map((p, i) => ({
      addAccounts: () => undefined,
      send: (batch) =>
        Promise.resolve(
          p.process(
            batch,
            (e) => events[i]!.push(e),
            scanned
              ? (line) =>
                  events[i]!.push({
                    id: slotText(line.bytes, line.id),
                    account_id: slotText(line.bytes, line.accountId),
                  })
              : undefined,
          ),
        ),
      hasId: (id) => Promise.resolve(p.hasId(id)),
    })),
  };
}

describe('partitioned reading', () => {
  it('finds the top-level ids as JSON.parse does', () => {
    const cases = [
      event('a', 'acct-1'),
      event('a', 'acct-1', { meta: { account_id: 'no', id: 'no' }, list: [{ id: 'no' }] }),
      '{"account_id":"first","id":"x","account_id":"last"}',
      '{"id":"q\\"uo\\\\te","account_id":"\\u0061cct"}',
      '{"id":7,"account_id":["x"]}',
      ' { "id" : "sp" , "account_id" : "ü" } ',
      '{"note":"ends in a backslash \\\\","id":"after\\\\","x":"\\"\\\\\\"","account_id":"z"}',
    ];
    for (const c of cases) {
      const v = JSON.parse(c) as Record<string, unknown>;
      const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
      expect(scanTopLevelIds(Buffer.from(c))).toEqual({ id: str(v.id), accountId: str(v.account_id) });
    }
  });

  it('partitions accounts by the first half of their fingerprint', () => {
    for (const id of ['acct_1', 'acct_7ls9hvfglqs5kagl', 'ü-账户', '']) {
      for (const n of [2, 3, 16]) {
        expect(partitionOfAccount(id, n)).toBe(parseInt(fingerprint64(id).slice(0, 8), 16) % n);
      }
    }
  });

  it('gives the single-threaded report, rejects and quarantine, and each event once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-part-'));
    const plain = join(dir, 'bad.ndjson');
    const gz = join(dir, 'cut.ndjson.gz');
    const data = badInput();
    await writeFile(plain, data);
    await writeFile(gz, gzipSync(data).subarray(0, 3000));
    for (const files of [[plain], [plain, gz]]) {
      const q1 = new MemoryQuarantine();
      const r1 = new IngestReport();
      const single: ApiEvent[] = [];
      for await (const b of readEventBatches(files, { quarantine: q1, report: r1, maxLineBytes: 2048 }))
        single.push(...b);
      for (const [n, scanned] of [
        [1, true],
        [2, false],
        [2, true],
        [3, true],
      ] as const) {
        const q2 = new MemoryQuarantine();
        const { channels: ch, events } = channels(n, scanned);
        const r2 = await readEventsPartitioned(files, ch, {
          quarantine: q2,
          maxLineBytes: 2048,
          batchBytes: 4096,
        });
        for (const e of events.flat()) r2.countAccountId(e.account_id);
        expect(r2.toJSON()).toEqual(r1.toJSON());
        expect(JSON.stringify(r2.toJSON())).toBe(JSON.stringify(r1.toJSON()));
        expect(q2.records).toEqual(q1.records);
        expect(
          events
            .flat()
            .map((e) => e.id)
            .sort(),
        ).toEqual(single.map((e) => e.id).sort());
        // Each partition sees its events in file order.
        for (const part of events) {
          const ids = part.map((e) => `${e.id}/${e.account_id}`);
          const expected = single.map((e) => `${e.id}/${e.account_id}`).filter((k) => ids.includes(k));
          expect(ids).toEqual(expected);
        }
      }
      expect(r1.duplicates).toBeGreaterThan(20);
      expect(r1.rejectedLines).toBeGreaterThan(60);
    }
  });
});
