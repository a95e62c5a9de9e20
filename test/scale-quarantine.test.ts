import { expect, it } from 'vitest';
import { quarantineRecord } from '../src/ingest/index.js';
import { partitionOf, scoreScale, subjectOf } from '../src/pipeline/index.js';
import { countQuarantined, listQuarantined, scaleProgress } from '../src/store/index.js';
import { describeScale, simulatedPrefix } from './scale-harness.js';

// Bad messages on the stream (anything with publish rights can write one) are quarantined with
// their reason in PostgreSQL and counted as rejected lines in the findings, as batch analyze
// counts bad input lines; the good ones around them are applied.
const input = simulatedPrefix(1_500, 17);

describeScale('scale-out: quarantine', 2, (fx) => {
  it('stores bad messages with their reason and reports them in findings.input.rejected_lines', async () => {
    const t = fx.topology;
    const enc = new TextEncoder();
    const other = input.events.find((e) => partitionOf(e.account_id, 2) === 1)!;
    const bad: [string, Uint8Array][] = [
      ['invalid_json', enc.encode('{"kind":"event",')],
      ['invalid_utf8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])],
      ['missing_field', enc.encode(JSON.stringify({ kind: 'event', event: { id: 'x1' } }))],
      // A valid event of an account that lives in partition 1, published on partition 0.
      ['misrouted', enc.encode(JSON.stringify({ kind: 'event', event: { ...other, id: 'moved-1' } }))],
    ];
    await fx.publishAround(
      input,
      700,
      bad.map(([, data]) => ({ subject: subjectOf(t, 0), data })),
    );

    const worker = await fx.startWorker('q-0');
    await fx.waitForApplied(input.events.length);
    await fx.waitUntilQuarantined(bad.length);
    await worker.stop();

    const rows = await listQuarantined(fx.db);
    expect(rows.map((r) => r.reason)).toEqual(bad.map(([reason]) => reason));
    expect(
      rows.every((r) => r.partition === 0 && r.subject === subjectOf(t, 0) && r.message.length > 0),
    ).toBe(true);
    expect(rows[0]!.raw).toBe('{"kind":"event",');
    expect(rows[1]).toMatchObject({
      raw_encoding: 'base64',
      raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
    });
    expect(rows[3]!.message).toContain('belongs to partition 1');
    expect(worker.stats.quarantined).toBe(bad.length);
    // None of them was applied: every stored event is one of the input's.
    expect(await fx.storedEventTotal()).toBe(input.events.length);
    expect((await scaleProgress(fx.db)).events).toBe(input.events.length);

    const findings = await scoreScale(fx.db, { force: true });
    expect(findings?.input).toMatchObject({ events: input.events.length, rejected_lines: bad.length });
  }, 300_000);
});

// A line a publisher rejected is stored once in the quarantine by its identity (source, line
// number, content), not only while the stream's duplicate window and the seen ids remember it:
// ingesting the same file again later must not count its bad lines again.
describeScale(
  'scale-out: quarantine is idempotent beyond the duplicate window',
  2,
  (fx) => {
    it('a rejected line published again after the window is counted once', async () => {
      const events = input.events.slice(0, 200);
      const bad = quarantineRecord(
        '/data/traffic.ndjson',
        7,
        'invalid_json',
        'line 7 is not valid JSON',
        '{"id": "x",',
      );
      const worker = await fx.startWorker('qi-0', { pruneEveryMs: 100, seenRetentionMs: 0 });
      const pub = fx.publisher();
      await pub.publishRejected(bad);
      await pub.publishEvents(events.slice(0, 100));
      expect(await pub.flush()).toMatchObject({ published: 101, duplicates: 0 });
      await fx.waitForApplied(100);
      expect(await countQuarantined(fx.db)).toBe(1);

      // Past the window (and the seen-id retention): the stream stores the line again.
      await new Promise((r) => setTimeout(r, 1500));
      await pub.publishRejected(bad);
      // The same line number with other content is another line.
      await pub.publishRejected({ ...bad, raw: '{"id": "y",' });
      await pub.publishEvents(events.slice(100));
      expect(await pub.flush()).toMatchObject({ published: 203, duplicates: 0 });
      // Events after them are applied only once the rejected lines' batches committed (each
      // partition in stream order; both partitions get events).
      await fx.waitForApplied(events.length);
      await worker.stop();

      expect((await listQuarantined(fx.db)).map((r) => r.raw)).toEqual(['{"id": "x",', '{"id": "y",']);
      const findings = await scoreScale(fx.db, { force: true });
      expect(findings?.input.rejected_lines).toBe(2);
    }, 120_000);
  },
  { duplicateWindowMs: 1000 },
);
